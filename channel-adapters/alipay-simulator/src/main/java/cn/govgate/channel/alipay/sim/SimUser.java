package cn.govgate.channel.alipay.sim;

import java.util.Locale;
import java.util.Objects;

/**
 * A simulated Alipay user.
 *
 * @param userId the Alipay user id, {@code 2088} + 12 digits
 * @param name the real name Alipay holds, null when the user never did real-name authentication
 * @param idNumber the ID number Alipay holds (upper case X), null with {@code name}
 * @param certified whether Alipay says the real name is verified ({@code is_certified=T})
 */
public record SimUser(String userId, String name, String idNumber, boolean certified) {

  public SimUser {
    Objects.requireNonNull(userId, "userId");
    if (!userId.matches("2088\\d{12}"))
      throw new IllegalArgumentException("user id must be 2088 + 12 digits");
    if (idNumber != null) idNumber = idNumber.toUpperCase(Locale.ROOT);
  }

  /** A user without real-name data. */
  public static SimUser anonymous(String userId) {
    return new SimUser(userId, null, null, false);
  }

  /** A real-name certified user. */
  public static SimUser certified(String userId, String name, String idNumber) {
    return new SimUser(userId, name, idNumber, true);
  }

  boolean hasIdentity() {
    return name != null && idNumber != null;
  }

  @Override
  public String toString() {
    return "SimUser[certified=" + certified + "]";
  }
}
