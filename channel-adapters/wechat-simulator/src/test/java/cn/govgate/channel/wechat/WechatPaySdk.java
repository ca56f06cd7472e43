package cn.govgate.channel.wechat;

import static cn.govgate.channel.wechat.WechatTestBed.API_V3_KEY;
import static cn.govgate.channel.wechat.WechatTestBed.MCH_ID;
import static cn.govgate.channel.wechat.WechatTestBed.MERCHANT_KEYS;
import static cn.govgate.channel.wechat.WechatTestBed.MERCHANT_SERIAL;

import cn.govgate.channel.wechat.sim.WechatSimulator;
import com.wechat.pay.java.core.RSAPublicKeyConfig;
import com.wechat.pay.java.core.http.DefaultHttpClientBuilder;
import com.wechat.pay.java.core.http.HttpClient;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;

/**
 * The official wechatpay-java SDK set up against a simulator, as the interop tests use it: the
 * merchant's configuration (its key and serial, the simulator's platform public key, the API v3
 * key), and the SDK's own HTTP client (signing, answer validation) with its requests rerouted from
 * api.mch.weixin.qq.com to the simulator.
 */
final class WechatPaySdk {
  private WechatPaySdk() {}

  static RSAPublicKeyConfig config(WechatSimulator sim) {
    return new RSAPublicKeyConfig.Builder()
        .merchantId(MCH_ID)
        .privateKey(WechatTestBed.base64(MERCHANT_KEYS.getPrivate().getEncoded()))
        .merchantSerialNumber(MERCHANT_SERIAL)
        .publicKey(sim.platformPublicKey())
        .publicKeyId(sim.platformSerial())
        .apiV3Key(API_V3_KEY)
        .build();
  }

  static HttpClient httpClient(WechatSimulator sim, RSAPublicKeyConfig config) {
    int port = sim.port();
    OkHttpClient okHttp =
        new OkHttpClient.Builder()
            .addInterceptor(
                chain -> {
                  HttpUrl url =
                      chain
                          .request()
                          .url()
                          .newBuilder()
                          .scheme("http")
                          .host("127.0.0.1")
                          .port(port)
                          .build();
                  return chain.proceed(chain.request().newBuilder().url(url).build());
                })
            .build();
    return new DefaultHttpClientBuilder().config(config).okHttpClient(okHttp).build();
  }
}
