package cn.govgate.demo.crash;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * The stable address in front of a gateway that changes its port on every restart, as a load
 * balancer is in front of a deployment: a TCP relay on loopback (port 0) to the gateway's current
 * port. The channels' notify URLs and the test's clients use it. While the gateway is down a
 * connection is accepted and closed at once, as a load balancer with no healthy instance does. It
 * also reports each request whose bytes start with {@code POST /callbacks/} the moment they are
 * passed on, so a kill can be placed inside a callback.
 */
final class FrontRelay {
  private static final byte[] CALLBACK = "POST /callbacks/".getBytes(StandardCharsets.US_ASCII);

  private final NetClient client;
  private final Consumer<String> onCallback;
  private volatile int upstreamPort;
  private NetServer server;

  private FrontRelay(NetClient client, Consumer<String> onCallback) {
    this.client = client;
    this.onCallback = onCallback;
  }

  static Future<FrontRelay> start(Vertx vertx, Consumer<String> onCallback) {
    FrontRelay relay =
        new FrontRelay(
            vertx.createNetClient(new NetClientOptions().setConnectTimeout(2_000)), onCallback);
    return vertx
        .createNetServer()
        .connectHandler(relay::relay)
        .listen(0, "127.0.0.1")
        .map(
            server -> {
              relay.server = server;
              return relay;
            });
  }

  /** Where connections go from now on; 0 = nowhere (the gateway is down). */
  void upstream(int port) {
    upstreamPort = port;
  }

  String baseUrl() {
    return "http://127.0.0.1:" + server.actualPort();
  }

  private void relay(NetSocket in) {
    int port = upstreamPort;
    if (port == 0) {
      in.close();
      return;
    }
    in.pause();
    client
        .connect(port, "127.0.0.1")
        .onComplete(
            ar -> {
              if (ar.failed()) {
                in.close();
                return;
              }
              NetSocket out = ar.result();
              in.handler(
                  bytes -> {
                    out.write(bytes);
                    if (startsWith(bytes, CALLBACK)) onCallback.accept(path(bytes));
                  });
              out.handler(in::write);
              in.closeHandler(v -> out.close());
              out.closeHandler(v -> in.close());
              in.exceptionHandler(e -> out.close());
              out.exceptionHandler(e -> in.close());
              in.resume();
            });
  }

  private static boolean startsWith(Buffer bytes, byte[] prefix) {
    if (bytes.length() < prefix.length) return false;
    for (int i = 0; i < prefix.length; i++) {
      if (bytes.getByte(i) != prefix[i]) return false;
    }
    return true;
  }

  private static String path(Buffer bytes) {
    String head = bytes.getString(0, Math.min(bytes.length(), 64), "US-ASCII");
    int end = head.indexOf(' ', 5);
    return end < 0 ? head.substring(5) : head.substring(5, end);
  }

  Future<Void> close() {
    return server == null ? Future.succeededFuture() : server.close().eventually(client::close);
  }
}
