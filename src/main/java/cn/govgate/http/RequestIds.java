package cn.govgate.http;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * Gives every request an id: the caller's {@code X-Request-Id} when well-formed (8–128 characters
 * of {@code [A-Za-z0-9._:-]}), a fresh one otherwise. The id is echoed in the response, carried to
 * departments and written in every log line and error about the request.
 */
public final class RequestIds implements Handler<RoutingContext> {
  public static final String HEADER = "X-Request-Id";
  static final String KEY = "govgate.requestId";
  private static final HexFormat HEX = HexFormat.of();
  private static final Pattern WELL_FORMED = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{7,127}");

  @Override
  public void handle(RoutingContext ctx) {
    String given = ctx.request().getHeader(HEADER);
    String id = given != null && WELL_FORMED.matcher(given).matches() ? given : generate();
    ctx.put(KEY, id);
    ctx.response().putHeader(HEADER, id);
    ctx.next();
  }

  /** The request id of this exchange (never null once this handler ran). */
  public static String of(RoutingContext ctx) {
    String id = ctx.get(KEY);
    return id != null ? id : "-";
  }

  /** A new random id: 128 bits in hex. Not a secret, so a fast generator is fine. */
  public static String generate() {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    // The same 32 lower-case hex digits String.format("%016x%016x") gave, without parsing a format
    // on every request.
    return HEX.toHexDigits(r.nextLong()) + HEX.toHexDigits(r.nextLong());
  }
}
