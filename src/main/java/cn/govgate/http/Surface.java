package cn.govgate.http;

/** The HTTP surfaces of the gateway and where they are mounted. */
public enum Surface {
  /** Citizen API called by the mini-programs. */
  CITIZEN("/v1"),
  /** Partner platforms, signed server-to-server calls. */
  PARTNER("/open/v1"),
  /** Operators and departments. */
  ADMIN("/admin/v1"),
  /** Channel callbacks (payment notifications). */
  CALLBACKS("/callbacks"),
  /** Public documents at the root, such as {@code /.well-known/jwks.json}. */
  PUBLIC("");

  private final String mountPoint;

  Surface(String mountPoint) {
    this.mountPoint = mountPoint;
  }

  public String mountPoint() {
    return mountPoint;
  }
}
