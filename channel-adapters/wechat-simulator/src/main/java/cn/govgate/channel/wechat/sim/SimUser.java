package cn.govgate.channel.wechat.sim;

/**
 * A WeChat user known to the simulator.
 *
 * @param openid the user's openid (the simulator uses one openid for every app)
 * @param unionid the unionid, null when the app is not bound to an Open Platform account
 * @param name the person's true name, used by face checks; null when unknown
 * @param idNumber the person's true ID number (upper-case X); null when unknown
 */
public record SimUser(String openid, String unionid, String name, String idNumber) {
  @Override
  public String toString() {
    return "SimUser[hidden]";
  }
}
