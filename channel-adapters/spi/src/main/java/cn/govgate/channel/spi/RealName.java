package cn.govgate.channel.spi;

/**
 * Real-name data asserted by a channel (Alipay {@code alipay.user.info.share}: {@code
 * is_certified}, {@code user_name}, {@code cert_no}).
 *
 * @param certified whether the channel says it verified the user's real name (实名认证)
 * @param name the full name, as the channel holds it
 * @param idNumber the ID number (居民身份证号码), as the channel holds it, upper case
 */
public record RealName(boolean certified, String name, String idNumber) {
  @Override
  public String toString() {
    return "RealName[certified=" + certified + "]";
  }
}
