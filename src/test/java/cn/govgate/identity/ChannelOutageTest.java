package cn.govgate.identity;

import static org.assertj.core.api.Assertions.assertThat;

import cn.govgate.app.Gateway;
import cn.govgate.testing.ApiContract;
import cn.govgate.testing.Http;
import cn.govgate.testing.TestGateways;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/** A channel that is down gives a clear 503, and the breaker stops calling it. */
class ChannelOutageTest {
  private static final ApiContract API = ApiContract.of("gateway-api.yaml");

  @Test
  void aDownChannelOpensItsBreakerAndLoginsFailClearly() throws Exception {
    try (IdentityTestBed bed = new IdentityTestBed(2, 5)) {
      Gateway gateway = TestGateways.start(bed.settings());
      try {
        String openid = bed.wechatUser(bed.people.get(0));
        String token = bed.wechatToken(gateway, openid);
        bed.wechat.knobs().outage(true);
        for (int i = 0; i < 5; i++) {
          HttpResponse<String> r =
              IdentityTestBed.login(gateway, "wechat", IdentityTestBed.WECHAT_APP, "code" + i);
          assertThat(r.statusCode()).isEqualTo(503);
          API.assertValid("createSession", r);
          JsonObject e = Http.json(r);
          assertThat(e.getString("code")).isEqualTo("channel.unavailable");
          assertThat(e.getString("origin")).isEqualTo("channel");
          assertThat(e.getJsonObject("details").getString("channel")).isEqualTo("wechat");
        }
        int calls = bed.wechat.calls("jscode2session");
        HttpResponse<String> open =
            IdentityTestBed.login(gateway, "wechat", IdentityTestBed.WECHAT_APP, "code-x");
        assertThat(open.statusCode()).isEqualTo(503);
        assertThat(Http.json(open).getInteger("retryAfter")).isEqualTo(30);
        assertThat(open.headers().firstValue("Retry-After")).hasValue("30");
        assertThat(bed.wechat.calls("jscode2session"))
            .as("the open breaker does not call the channel")
            .isEqualTo(calls);

        // The face API is down too: starting a verification fails clearly and binds nothing.
        HttpResponse<String> start =
            IdentityTestBed.start(
                gateway, token, bed.people.get(0).name(), bed.people.get(0).idNumber());
        assertThat(start.statusCode()).isEqualTo(503);
        API.assertValid("startVerification", start);

        // Alipay is unaffected.
        String user = bed.alipayUser(bed.people.get(1), false);
        assertThat(bed.alipayToken(gateway, user)).isNotBlank();
      } finally {
        bed.wechat.knobs().outage(false);
        TestGateways.stop(gateway);
      }
    }
  }
}
