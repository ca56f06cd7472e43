package cn.govgate.channel.wechat;

import cn.govgate.channel.spi.ChannelException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Access tokens per app from {@code POST /cgi-bin/stable_token} (§5.2), cached and refreshed at 80
 * % of their lifetime. All concurrent callers share one in-flight refresh per app, so a burst costs
 * one token call.
 */
final class AccessTokens {

  static final String API = "stable_token";

  private final MiniProgramClient client;
  private final Map<String, WechatApp> apps;
  private final Clock clock;
  private final Map<String, Slot> slots = new ConcurrentHashMap<>();

  private static final class Slot {
    String token;
    Instant refreshAt;
    Future<String> inflight;
    boolean forceNext;
  }

  AccessTokens(MiniProgramClient client, Map<String, WechatApp> apps, Clock clock) {
    this.client = client;
    this.apps = apps;
    this.clock = clock;
  }

  /** A valid token for the app, from the cache or from the single in-flight refresh. */
  Future<String> get(String appId) {
    WechatApp app = apps.get(appId);
    if (app == null) return Future.failedFuture(WechatErrors.unknownApp(API));
    Slot slot = slots.computeIfAbsent(appId, k -> new Slot());
    Promise<String> promise;
    boolean force;
    synchronized (slot) {
      if (slot.token != null && clock.instant().isBefore(slot.refreshAt))
        return Future.succeededFuture(slot.token);
      if (slot.inflight != null) return slot.inflight;
      promise = Promise.promise();
      slot.inflight = promise.future();
      force = slot.forceNext;
      slot.forceNext = false;
    }
    fetch(app, force)
        .onComplete(
            ar -> {
              synchronized (slot) {
                slot.inflight = null;
                if (ar.succeeded()) {
                  slot.token = ar.result().getString("access_token");
                  long expiresIn = ar.result().getLong("expires_in");
                  slot.refreshAt = clock.instant().plus(Duration.ofMillis(expiresIn * 800));
                }
              }
              promise.handle(ar.map(t -> t.getString("access_token")));
            });
    return promise.future();
  }

  /**
   * Runs {@code call} with a token; when the platform says the token is invalid
   * (40001/40014/42001), drops it, force-refreshes once and retries once.
   */
  <T> Future<T> withToken(String appId, Function<String, Future<T>> call) {
    return get(appId)
        .compose(
            token ->
                call.apply(token)
                    .recover(
                        e -> {
                          if (!isTokenInvalid(e)) return Future.failedFuture(e);
                          invalidate(appId, token);
                          return get(appId).compose(call);
                        }));
  }

  private static boolean isTokenInvalid(Throwable e) {
    if (!(e instanceof ChannelException ce) || ce.channelCode() == null) return false;
    try {
      return WechatErrors.TOKEN_INVALID.contains(Integer.parseInt(ce.channelCode()));
    } catch (NumberFormatException ignored) {
      return false;
    }
  }

  private void invalidate(String appId, String token) {
    Slot slot = slots.get(appId);
    if (slot == null) return;
    synchronized (slot) {
      if (token.equals(slot.token)) {
        slot.token = null;
        slot.forceNext = true;
      }
    }
  }

  private Future<JsonObject> fetch(WechatApp app, boolean force) {
    JsonObject body =
        new JsonObject()
            .put("grant_type", "client_credential")
            .put("appid", app.appId())
            .put("secret", app.appSecret())
            .put("force_refresh", force);
    return client.post(
        API,
        "/cgi-bin/stable_token",
        body,
        json -> {
          Object token = json.getValue("access_token");
          Object expires = json.getValue("expires_in");
          if (!(token instanceof String s)
              || s.isEmpty()
              || !(expires instanceof Number n)
              || n.longValue() <= 0) {
            throw WechatErrors.malformed(
                API, "stable_token answer lacks access_token or expires_in");
          }
          return json;
        });
  }
}
