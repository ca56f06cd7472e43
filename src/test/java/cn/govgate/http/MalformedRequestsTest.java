package cn.govgate.http;

import static org.assertj.core.api.Assertions.assertThat;

import cn.govgate.app.Metrics;
import cn.govgate.config.HttpConfig;
import cn.govgate.error.ErrorCode;
import cn.govgate.error.MessageLanguage;
import cn.govgate.testing.Contracts;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * What a fuzzer sends that no client library would: raw bytes on a socket to a real server. Every
 * answer is in the error shape with its code, none is a 5xx, and none waits for the client to give
 * up.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MalformedRequestsTest {
  /** Longer than any answer may take; a request still unanswered then is a hang. */
  private static final Duration PATIENCE = Duration.ofSeconds(5);

  private Vertx vertx;
  private int port;

  @BeforeAll
  void startServer() throws Exception {
    var registry = Metrics.newRegistry();
    vertx = Metrics.newVertx(registry);
    Routes routes =
        new Routes()
            .add(
                Surface.CITIZEN,
                (v, r) -> {
                  r.post("/echo").handler(ctx -> ctx.json(JsonBody.required(ctx)));
                  r.post("/optional").handler(ctx -> ctx.json(JsonBody.optional(ctx)));
                  r.get("/things/:id")
                      .handler(ctx -> ctx.json(new JsonObject().put("id", ctx.pathParam("id"))));
                });
    Readiness readiness = new Readiness().add("always", Future::succeededFuture);
    HttpConfig config = new HttpConfig("127.0.0.1", 0, -1, 2, 64 * 1024, Duration.ofSeconds(5));
    List<ServerVerticle> servers = new CopyOnWriteArrayList<>();
    vertx
        .deployVerticle(
            () -> {
              ServerVerticle s = new ServerVerticle(config, routes, readiness, registry);
              servers.add(s);
              return s;
            },
            new DeploymentOptions().setInstances(2))
        .await(30, TimeUnit.SECONDS);
    port = servers.get(0).actualPort();
  }

  @AfterAll
  void stopServer() throws Exception {
    vertx.close().await(30, TimeUnit.SECONDS);
  }

  // ---------- what the HTTP decoder refuses ----------

  @Test
  void anOverlongRequestLineIs414InTheErrorShape() {
    assertError(
        send(
            "GET /v1/things/"
                + "a".repeat(ServerVerticle.MAX_REQUEST_LINE)
                + " HTTP/1.1\r\nHost: t\r\n\r\n"),
        414,
        "request.uri_too_long");
  }

  @Test
  void overlargeHeadersAre431InTheErrorShape() {
    assertError(
        send(
            "GET /v1/things/1 HTTP/1.1\r\nHost: t\r\nX-Pad: "
                + "a".repeat(ServerVerticle.MAX_HEADERS)
                + "\r\n\r\n"),
        431,
        "request.headers_too_large");
  }

  @Test
  void aControlCharacterInAHeaderIs400InTheErrorShape() {
    for (String c : List.of("\u0001", "\u0000", "\u007f", "\u001b")) {
      Reply r =
          send("GET /v1/things/1 HTTP/1.1\r\nHost: t\r\nIdempotency-Key: a" + c + "b\r\n\r\n");
      assertThat(r.status()).as("0x%02x", (int) c.charAt(0)).isEqualTo(400);
      assertThat(r.json().getString("code"))
          .isIn("request.malformed_http", "request.invalid_encoding");
      Contracts.assertError(r.json());
    }
  }

  /** Found by the contract fuzzer: Vert.x answered these 501 with an empty body. */
  @Test
  void aRequestLineOfAnotherHttpVersionIs400InTheErrorShape() {
    for (String version : List.of("HTTP/2.0", "HTTP/9.9", "http/1.1", "HTTP/1.2")) {
      Reply r = send("GET /v1/things/1 " + version + "\r\nHost: t\r\n\r\n");
      assertThat(r.status()).as(version).isEqualTo(400);
      assertThat(r.json().getString("code")).as(version).isEqualTo("request.malformed_http");
      Contracts.assertError(r.json());
    }
  }

  /** Found by the contract fuzzer: a bad chunk size closed the connection without an answer. */
  @Test
  void aChunkThatCannotBeReadIsAnsweredInTheErrorShapeBeforeTheConnectionCloses() {
    for (String chunks :
        List.of("zz\r\n{\"a\":1}\r\n0\r\n\r\n", "7\r\n{\"a\":1}XX0\r\n\r\n", "-1\r\n\r\n")) {
      Reply r =
          send(
              "POST /v1/echo HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
                  + "Transfer-Encoding: chunked\r\n\r\n"
                  + chunks,
              StandardCharsets.UTF_8,
              true);
      assertError(r, 400, "request.bad_framing");
      assertThat(r.closed()).as(chunks).isTrue();
    }
  }

  /** Found by the contract fuzzer: Vert.x's body handler threw (500) on a form body with GET. */
  @Test
  void aFormContentTypeOnAGetIs415NotA500() {
    for (String type :
        List.of("multipart/form-data; boundary=x", "application/x-www-form-urlencoded")) {
      assertError(
          send(
              "GET /v1/things/1 HTTP/1.1\r\nHost: t\r\nContent-Type: "
                  + type
                  + "\r\nContent-Length: 3\r\n\r\na=1"),
          415,
          "request.unsupported_media_type");
    }
    Reply form =
        send(
            "POST /v1/optional HTTP/1.1\r\nHost: t\r\nContent-Type: application/x-www-form-urlencoded"
                + "\r\nContent-Length: 3\r\nConnection: close\r\n\r\na=1");
    // The control: with POST the body handler reads the form and the route judges it (JsonBody: not
    // JSON).
    assertThat(form.status()).isEqualTo(415);
    assertThat(form.json().getString("code")).isEqualTo("request.unsupported_media_type");
  }

  /**
   * Found by the contract fuzzer: the body handler decoded a form request's broken query and left
   * it unanswered.
   */
  @Test
  void aBrokenEscapeInTheQueryOfAFormRequestIs400NotLeftHanging() {
    for (String query : List.of("q=a%2", "q=%zz", "q=%")) {
      Reply r =
          send(
              "POST /v1/optional?"
                  + query
                  + " HTTP/1.1\r\nHost: t\r\nContent-Type: "
                  + "application/x-www-form-urlencoded\r\nContent-Length: 3\r\n\r\na=1");
      assertError(r, 400, "request.invalid_encoding");
      assertThat(r.json().getJsonObject("details").getString("where")).isEqualTo("query");
    }
  }

  @Test
  void aMalformedHeaderNameIs400InTheErrorShape() {
    assertError(
        send("GET /v1/things/1 HTTP/1.1\r\nHost: t\r\nBad Header: x\r\n\r\n"),
        400,
        "request.malformed_http");
  }

  // ---------- what the router cannot decode ----------

  @Test
  void aBrokenPercentEscapeIs400InTheErrorShapeNotPlainText() {
    for (String path :
        List.of("/v1/things/%", "/v1/things/%zz", "/v1/things/a%2", "/v1/proofs/%")) {
      Reply r = send("GET " + path + " HTTP/1.1\r\nHost: t\r\n\r\n");
      assertThat(r.status()).as(path).isEqualTo(400);
      assertThat(r.header("content-type")).as(path).startsWith("application/json");
      assertThat(r.json().getString("code")).as(path).isEqualTo("request.invalid_encoding");
      assertThat(r.json().getJsonObject("details").getString("where")).isEqualTo("path");
    }
  }

  @Test
  void aNulOrInvalidUtf8InThePathOrQueryIs400() {
    for (String target :
        List.of(
            "/v1/things/a%00b", "/v1/things/%C3%28", "/v1/things/%ED%A0%80", "/v1/things/%0A")) {
      Reply r = send("GET " + target + " HTTP/1.1\r\nHost: t\r\n\r\n");
      assertThat(r.status()).as(target).isEqualTo(400);
      assertThat(r.json().getJsonObject("details").getString("where")).as(target).isEqualTo("path");
    }
    for (String target : List.of("/v1/things/1?q=%00", "/v1/things/1?q=%FF", "/v1/things/1?q=%")) {
      Reply r = send("GET " + target + " HTTP/1.1\r\nHost: t\r\n\r\n");
      assertThat(r.status()).as(target).isEqualTo(400);
      assertThat(r.json().getJsonObject("details").getString("where"))
          .as(target)
          .isEqualTo("query");
    }
    assertThat(
            send("GET /v1/things/%E6%9D%AD%E5%B7%9E HTTP/1.1\r\nHost: t\r\n\r\n")
                .json()
                .getString("id"))
        .as("the control: UTF-8 text")
        .isEqualTo("杭州");
  }

  // ---------- bodies ----------

  @Test
  void aJsonBodyThatIsNotAnObjectIs400() {
    for (String body :
        List.of(
            "-1",
            "[]",
            "true",
            "\"s\"",
            "null",
            "1e999",
            "{}{}",
            "{\"a\":1,\"a\":2}",
            "{/*c*/}",
            "[".repeat(100) + "]".repeat(100),
            "{\"a\":".repeat(40) + "1" + "}".repeat(40))) {
      Reply r = post("/v1/echo", "application/json", body);
      assertThat(r.status()).as(body).isEqualTo(400);
      assertThat(r.json().getString("code")).as(body).isEqualTo("request.malformed_json");
      Contracts.assertError(r.json());
    }
  }

  @Test
  void aNulOrALoneSurrogateInAJsonStringIs400() {
    for (String body :
        List.of(
            "{\"name\":\"a\\u0000b\"}",
            "{\"a\\u0000\":1}",
            "{\"list\":[{\"x\":\"\\u0000\"}]}",
            "{\"name\":\"\\ud800\"}",
            "{\"name\":\"\\udc00x\"}")) {
      Reply r = post("/v1/echo", "application/json", body);
      assertThat(r.status()).as(body).isEqualTo(400);
      assertThat(r.json().getString("code")).as(body).isEqualTo("request.invalid_encoding");
      assertThat(r.json().getJsonObject("details").getString("where")).isEqualTo("body");
    }
    Reply raw = post("/v1/echo", "application/json", "{\"name\":\"a\u0000b\"}");
    assertThat(raw.status()).as("a raw NUL byte").isEqualTo(400);
    Reply latin1 =
        send(
            "POST /v1/echo HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: 10\r\n"
                + "\r\n{\"n\":\"\u00e9\u00e9\"}",
            StandardCharsets.ISO_8859_1);
    assertThat(latin1.status()).as("Latin-1 bytes").isEqualTo(400);
    assertThat(
            post("/v1/echo", "application/json", "{\"name\":\"杭州 \\ud83d\\ude00\"}")
                .json()
                .getString("name"))
        .as("the control: text with a proper surrogate pair")
        .isEqualTo("杭州 \ud83d\ude00");
  }

  @Test
  void aBodyOfAnotherMediaTypeIs415AndAMissingOneIs400() {
    Reply text = post("/v1/echo", "text/plain", "{\"a\":1}");
    assertError(text, 415, "request.unsupported_media_type");
    assertError(
        post("/v1/echo", "application/json; charset=gbk", "{\"a\":1}"),
        415,
        "request.unsupported_media_type");
    assertError(post("/v1/echo", "application/json", ""), 400, "request.malformed_json");
    assertThat(post("/v1/optional", "application/json", "").json()).isEqualTo(new JsonObject());
    assertThat(
            post("/v1/echo", "application/json; charset=UTF-8", "{\"a\":1}").json().getInteger("a"))
        .isEqualTo(1);
  }

  // ---------- framing ----------

  @Test
  void chunkedIdentityWithoutABodyIsRefusedAtOnceNotLeftHanging() {
    Reply r =
        send(
            "POST /v1/echo HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
                + "Transfer-Encoding: chunked, identity\r\n\r\n",
            StandardCharsets.UTF_8,
            true);
    assertError(r, 400, "request.bad_framing");
    assertThat(r.closed()).as("the connection is closed after the refusal").isTrue();
  }

  @Test
  void contradictoryFramingIsRefused() {
    String head = "POST /v1/echo HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n";
    assertError(
        send(
            head
                + "Content-Length: 7\r\nTransfer-Encoding: chunked\r\n\r\n7\r\n{\"a\":1}\r\n0\r\n\r\n"),
        400,
        "request.bad_framing");
    assertError(
        send(head + "Transfer-Encoding: identity\r\nContent-Length: 7\r\n\r\n{\"a\":1}"),
        400,
        "request.bad_framing");
    assertError(
        send(head + "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
        400,
        "request.bad_framing");
    assertError(
        send(head.replace("HTTP/1.1", "HTTP/1.0") + "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
        400,
        "request.bad_framing");
    assertError(send(head + "Content-Length: -1\r\n\r\n"), 400, "request.malformed_http");
  }

  /**
   * Found by the 100,000-case fuzz run (case #76499): on HTTP/1.0 Netty takes the first of several
   * {@code Content-Length} values and waits for a body that never comes; on HTTP/1.1 it refused
   * them. Both versions now get the same coded answer at once, and the connection is closed.
   */
  @Test
  void severalContentLengthsAreRefusedAtOnceOnEveryHttpVersion() {
    for (String version : List.of("HTTP/1.0", "HTTP/1.1")) {
      String head =
          "POST /v1/echo " + version + "\r\nHost: t\r\nContent-Type: application/json\r\n";
      for (String lengths :
          List.of(
              "Content-Length: 8\r\nContent-Length: 7\r\n",
              "Content-Length: 7\r\nContent-Length: 8\r\n",
              "Content-Length: 7\r\ncontent-length: 7\r\n",
              "Content-Length: 7\r\nX-A: b\r\nCONTENT-LENGTH: 7\r\n")) {
        Reply r = send(head + lengths + "\r\n{\"a\":1}", StandardCharsets.UTF_8, true);
        assertError(r, 400, "request.bad_framing");
        assertThat(r.closed()).as("%s %s: closed after the refusal", version, lengths).isTrue();
      }
    }
    // A list in one header: Netty refuses it on HTTP/1.1, and cannot parse it as a number on 1.0.
    assertThat(
            send(
                    "POST /v1/echo HTTP/1.0\r\nHost: t\r\nContent-Type: application/json\r\n"
                        + "Content-Length: 7, 8\r\n\r\n{\"a\":1}",
                    StandardCharsets.UTF_8,
                    true)
                .status())
        .isEqualTo(400);
    Reply single =
        send(
            "POST /v1/echo HTTP/1.0\r\nHost: t\r\nContent-Type: application/json\r\n"
                + "Content-Length: 7\r\n\r\n{\"a\":1}");
    assertThat(single.status()).as("the control: one Content-Length on HTTP/1.0").isEqualTo(200);
    assertThat(single.json().getInteger("a")).isEqualTo(1);
  }

  @Test
  void aProperlyChunkedBodyStillWorks() {
    Reply r =
        send(
            "POST /v1/echo HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
                + "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n7\r\n{\"a\":1}\r\n0\r\n\r\n");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.json().getInteger("a")).isEqualTo(1);
  }

  @Test
  void whatTheDecoderRefusesIsWordedInTheCallersLanguage() {
    String head = "POST /v1/echo HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n";
    String framing =
        "Content-Length: 7\r\nTransfer-Encoding: chunked\r\n\r\n7\r\n{\"a\":1}\r\n0\r\n\r\n";
    Reply chinese = send(head + framing);
    Reply english = send(head + "Accept-Language: en-US, zh-CN;q=0.8\r\n" + framing);
    assertError(chinese, 400, "request.bad_framing");
    assertError(english, 400, "request.bad_framing");
    assertThat(chinese.json().getString("message"))
        .isEqualTo(ErrorCode.REQUEST_BAD_FRAMING.message(MessageLanguage.ZH));
    assertThat(english.json().getString("message"))
        .isEqualTo(ErrorCode.REQUEST_BAD_FRAMING.message(MessageLanguage.EN));
    assertThat(english.header("content-language")).isEqualTo("en");
  }

  // ---------- helpers ----------

  private static void assertError(Reply r, int status, String code) {
    assertThat(r.status()).as(r.raw()).isEqualTo(status);
    assertThat(r.header("content-type")).as(r.raw()).startsWith("application/json");
    JsonObject body = r.json();
    Contracts.assertError(body);
    assertThat(body.getString("code")).as(r.raw()).isEqualTo(code);
  }

  private Reply post(String path, String contentType, String body) {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    return send(
        "POST "
            + path
            + " HTTP/1.1\r\nHost: t\r\nContent-Type: "
            + contentType
            + "\r\nContent-Length: "
            + bytes.length
            + "\r\nConnection: close\r\n\r\n"
            + body);
  }

  private Reply send(String request) {
    return send(request, StandardCharsets.UTF_8, false);
  }

  private Reply send(String request, java.nio.charset.Charset charset) {
    return send(request, charset, false);
  }

  /**
   * Writes the request, reads until the server closes or the response is complete (then, with
   * {@code awaitClose}, until the server closes); a server silent for {@link #PATIENCE} fails the
   * test.
   */
  private Reply send(String request, java.nio.charset.Charset charset, boolean awaitClose) {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout((int) PATIENCE.toMillis());
      OutputStream out = socket.getOutputStream();
      out.write(request.getBytes(charset));
      out.flush();
      InputStream in = socket.getInputStream();
      ByteArrayOutputStream got = new ByteArrayOutputStream();
      byte[] buf = new byte[8192];
      boolean closed = false;
      try {
        while (!Reply.complete(got.toString(StandardCharsets.UTF_8))) {
          int n = in.read(buf);
          if (n < 0) {
            closed = true;
            break;
          }
          got.write(buf, 0, n);
        }
        if (!closed && awaitClose) closed = in.read() < 0;
      } catch (SocketTimeoutException e) {
        if (got.size() == 0)
          throw new AssertionError(
              "no answer within " + PATIENCE + " to: " + request.lines().findFirst().orElse(""));
      } catch (IOException e) {
        closed = true; // reset by the server after its answer
      }
      return Reply.parse(got.toString(StandardCharsets.UTF_8), closed);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private record Reply(int status, String head, String body, boolean closed, String raw) {
    static boolean complete(String text) {
      int end = text.indexOf("\r\n\r\n");
      if (end < 0) return false;
      String head = text.substring(0, end).toLowerCase(Locale.ROOT);
      int cl = head.indexOf("content-length:");
      if (cl < 0) return false;
      int len = Integer.parseInt(head.substring(cl + 15).split("\r\n")[0].trim());
      return text.substring(end + 4).getBytes(StandardCharsets.UTF_8).length >= len;
    }

    static Reply parse(String text, boolean closed) {
      int end = text.indexOf("\r\n\r\n");
      if (end < 0) throw new AssertionError("not an HTTP response: " + text);
      String head = text.substring(0, end);
      return new Reply(
          Integer.parseInt(head.split(" ")[1]), head, text.substring(end + 4), closed, text);
    }

    String header(String name) {
      for (String line : head.split("\r\n")) {
        int colon = line.indexOf(':');
        if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase(name)) {
          return line.substring(colon + 1).trim();
        }
      }
      return "";
    }

    JsonObject json() {
      return new JsonObject(body);
    }
  }
}
