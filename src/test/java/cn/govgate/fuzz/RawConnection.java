package cn.govgate.fuzz;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One keep-alive HTTP/1.1 connection on a plain socket, for bytes no client library would send.
 * Blocking: used by the fuzzer's worker threads, never on an event loop. A reply not complete
 * within {@code patienceMs} is a hang.
 */
final class RawConnection implements AutoCloseable {
  private final String host;
  private final int port;
  private final int patienceMs;
  private Socket socket;
  private InputStream in;
  private OutputStream out;

  RawConnection(String host, int port, int patienceMs) {
    this.host = host;
    this.port = port;
    this.patienceMs = patienceMs;
  }

  /**
   * What came back: a status of -1 when the server closed without answering, -2 when it did not
   * answer in time.
   */
  record Reply(int status, Map<String, String> headers, byte[] body, boolean closed, long millis) {
    static final int NO_ANSWER = -1;
    static final int HANG = -2;

    String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }

    String text() {
      return new String(body, StandardCharsets.UTF_8);
    }
  }

  /**
   * Sends one request and reads one reply. On a connection the server closed meanwhile (keep-alive
   * timeout, a refusal that closes), reconnects once before sending.
   */
  Reply exchange(byte[] request, boolean head) throws IOException {
    boolean reused = socket != null;
    Reply reply = once(request, head);
    // A kept-alive connection the server closed while idle answers nothing: that says nothing of
    // this request.
    if (reused && reply.status() == Reply.NO_ANSWER) reply = once(request, head);
    return reply;
  }

  private Reply once(byte[] request, boolean head) throws IOException {
    long start = System.nanoTime();
    if (socket == null) connect();
    try {
      out.write(request);
      out.flush();
    } catch (IOException e) {
      // The server may refuse early (413, 431) and close before the whole request is written: read
      // its answer.
    }
    Reply reply;
    try {
      reply = read(head, start);
    } catch (SocketTimeoutException e) {
      close();
      return new Reply(Reply.HANG, Map.of(), new byte[0], true, elapsed(start));
    } catch (IOException e) {
      close();
      return new Reply(Reply.NO_ANSWER, Map.of(), new byte[0], true, elapsed(start));
    }
    if (reply.closed()) close();
    return reply;
  }

  private void connect() throws IOException {
    socket = new Socket(host, port);
    socket.setSoTimeout(patienceMs);
    socket.setTcpNoDelay(true);
    in = new BufferedInputStream(socket.getInputStream(), 16 * 1024);
    out = socket.getOutputStream();
  }

  private Reply read(boolean head, long start) throws IOException {
    String statusLine = line();
    if (statusLine == null)
      return new Reply(Reply.NO_ANSWER, Map.of(), new byte[0], true, elapsed(start));
    String[] parts = statusLine.split(" ", 3);
    if (parts.length < 2 || !parts[0].startsWith("HTTP/"))
      throw new IOException("not HTTP: " + statusLine);
    int status = Integer.parseInt(parts[1]);
    Map<String, String> headers = new LinkedHashMap<>();
    for (String h = line(); h != null && !h.isEmpty(); h = line()) {
      int colon = h.indexOf(':');
      if (colon > 0) {
        headers.merge(
            h.substring(0, colon).trim().toLowerCase(Locale.ROOT),
            h.substring(colon + 1).trim(),
            (a, b) -> a + "," + b);
      }
    }
    byte[] body;
    String length = headers.get("content-length");
    boolean closeAfter = "close".equalsIgnoreCase(headers.get("connection"));
    if (head || status == 204 || status == 304 || status / 100 == 1) {
      body = new byte[0];
    } else if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
      body = chunked();
    } else if (length != null) {
      body = in.readNBytes(Integer.parseInt(length));
    } else {
      body = in.readAllBytes();
      closeAfter = true;
    }
    return new Reply(status, headers, body, closeAfter, elapsed(start));
  }

  private byte[] chunked() throws IOException {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    while (true) {
      String size = line();
      if (size == null) throw new IOException("chunked body cut short");
      int n = Integer.parseInt(size.split(";")[0].trim(), 16);
      if (n == 0) {
        for (String trailer = line(); trailer != null && !trailer.isEmpty(); trailer = line()) {
          // trailers are not used by the gateway
        }
        return body.toByteArray();
      }
      body.write(in.readNBytes(n));
      line();
    }
  }

  /** One CRLF-terminated line, Latin-1, without its end; null at end of stream before any byte. */
  private String line() throws IOException {
    StringBuilder s = new StringBuilder();
    int b;
    while ((b = in.read()) >= 0) {
      if (b == '\n') {
        int len = s.length();
        if (len > 0 && s.charAt(len - 1) == '\r') s.setLength(len - 1);
        return s.toString();
      }
      s.append((char) b);
    }
    return s.length() == 0 ? null : s.toString();
  }

  private static long elapsed(long start) {
    return (System.nanoTime() - start) / 1_000_000;
  }

  @Override
  public void close() {
    if (socket == null) return;
    try {
      socket.close();
    } catch (IOException ignored) {
      // closing a socket the server may already have closed
    }
    socket = null;
  }
}
