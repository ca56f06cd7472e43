package cn.govgate.http;

import cn.govgate.error.ErrorCode;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.impl.HttpServerConnection;
import io.vertx.core.http.impl.VertxHttpRequestDecoder;
import java.util.List;

/**
 * Refuses HTTP/1.x requests whose body framing is contradictory, before a byte of their body is
 * read (RFC 9112 §6.1–6.3): a {@code Transfer-Encoding} other than exactly {@code chunked}, one in
 * an HTTP/1.0 request, or one together with {@code Content-Length}. Netty would otherwise wait for
 * a chunk that never comes ({@code chunked, identity}) or silently drop the {@code Content-Length}
 * — what request smuggling through a proxy that reads the other header relies on. Several {@code
 * Content-Length} headers are refused too, for every version: Netty refuses them on HTTP/1.1 but on
 * HTTP/1.0 takes the first value and waits for a body that may never come (fuzz case #76499). The
 * refusal reaches {@link ErrorResponder#handleInvalid} like any decoder failure; so does a request
 * line of another protocol version than HTTP/1.0 or HTTP/1.1 (Vert.x would answer 501 without a
 * body).
 *
 * <p>A chunk whose size line cannot be read is found only after the request went to its route, and
 * Vert.x then closes the connection at once: the decoder answers it itself, 400 {@code
 * request.bad_framing} in the error shape, and closes the connection.
 *
 * <p>Vert.x has no public hook into its request decoder, so each new HTTP/1.x connection gets this
 * subclass of it in place of the original, before its first byte is decoded — which holds with h2c
 * disabled (with h2c, Vert.x sets the connection up after decoding the first request). {@code
 * MalformedRequestsTest} fails if a Vert.x upgrade changes the pipeline under it.
 */
final class FramingGuard {
  private static final String DECODER = "httpDecoder";

  private FramingGuard() {}

  /** The server's connection handler: swaps the HTTP/1.x request decoder of {@code connection}. */
  static void install(HttpConnection connection, HttpServerOptions options) {
    if (!(connection instanceof HttpServerConnection server)) return;
    ChannelPipeline pipeline = server.channelHandlerContext().pipeline();
    if (pipeline.get(DECODER) instanceof VertxHttpRequestDecoder
        && !(pipeline.get(DECODER) instanceof Decoder)) {
      pipeline.replace(DECODER, DECODER, new Decoder(options));
    }
  }

  /** A request line of a version the server does not speak; stackless. */
  static final class UnsupportedVersion extends IllegalArgumentException {
    UnsupportedVersion() {
      super("HTTP version other than 1.0 and 1.1");
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
      return this;
    }
  }

  /** Why a request was refused; stackless, it is an expected outcome. */
  static final class ContradictoryFraming extends IllegalArgumentException {
    ContradictoryFraming(String reason) {
      super(reason);
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
      return this;
    }
  }

  private static final class Decoder extends VertxHttpRequestDecoder {
    /** {@code Content-Length} header lines of the request being decoded. */
    private int contentLengths;

    Decoder(HttpServerOptions options) {
      super(options);
    }

    /** Called once per request line, before its headers: a new request starts. */
    @Override
    protected HttpMessage createMessage(String[] initialLine) {
      contentLengths = 0;
      return super.createMessage(initialLine);
    }

    /**
     * Called for each header line's name while the headers are read; a thrown exception makes the
     * request invalid. Netty folds several {@code Content-Length} values into one before {@link
     * #isContentAlwaysEmpty} runs, so they are counted here.
     */
    @Override
    protected AsciiString splitHeaderName(byte[] sb, int start, int length) {
      AsciiString name = super.splitHeaderName(sb, start, length);
      if (HttpHeaderNames.CONTENT_LENGTH.contentEqualsIgnoreCase(name) && ++contentLengths > 1) {
        throw new ContradictoryFraming("several Content-Length headers");
      }
      return name;
    }

    /**
     * Netty asks this once the headers are read and before it picks how to read the body, with
     * {@code Content-Length} still present: the one place to check the framing. A thrown exception
     * makes the request invalid.
     */
    @Override
    protected boolean isContentAlwaysEmpty(HttpMessage message) {
      HttpVersion version = message.protocolVersion();
      // Vert.x compares by identity too: Netty returns its constants for exactly these two request
      // lines.
      if (version != HttpVersion.HTTP_1_1 && version != HttpVersion.HTTP_1_0)
        throw new UnsupportedVersion();
      HttpHeaders headers = message.headers();
      List<String> encodings = headers.getAll(HttpHeaderNames.TRANSFER_ENCODING);
      if (!encodings.isEmpty()) {
        if (message.protocolVersion().equals(HttpVersion.HTTP_1_0)) {
          throw new ContradictoryFraming("Transfer-Encoding in an HTTP/1.0 request");
        }
        if (encodings.size() != 1 || !"chunked".equalsIgnoreCase(encodings.get(0).trim())) {
          throw new ContradictoryFraming("Transfer-Encoding other than chunked");
        }
        if (headers.contains(HttpHeaderNames.CONTENT_LENGTH)) {
          throw new ContradictoryFraming("Content-Length with Transfer-Encoding");
        }
      }
      return super.isContentAlwaysEmpty(message);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf buffer, List<Object> out)
        throws Exception {
      int before = out.size();
      super.decode(ctx, buffer, out);
      for (int i = before; i < out.size(); i++) {
        if (out.get(i) instanceof HttpContent content
            && !(content instanceof HttpMessage)
            && content.decoderResult().isFailure()) {
          // Netty skips the rest of the connection's bytes after this (BAD_MESSAGE): answer, then
          // close.
          ReferenceCountUtil.release(out.remove(i));
          ctx.writeAndFlush(ErrorResponder.rawAnswer(ErrorCode.REQUEST_BAD_FRAMING.error()))
              .addListener(ChannelFutureListener.CLOSE);
          return;
        }
      }
    }
  }
}
