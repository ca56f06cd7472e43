package cn.govgate.store;

import cn.govgate.error.ApiException;
import cn.govgate.error.ErrorCode;
import io.vertx.core.VertxException;
import io.vertx.core.http.ConnectionPoolTooBusyException;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.ClosedConnectionException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketException;
import java.nio.channels.ClosedChannelException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which failures mean the database could not serve a request, and the coded 503 each becomes: the
 * pool is full or gave no connection in time ({@code store.busy}), PostgreSQL cancelled a statement
 * that ran or waited for a lock past {@code statement_timeout} ({@code store.timeout}), or the
 * server is down, restarting or refusing connections ({@code store.unavailable}). None of these
 * changed anything: a transaction that fails this way is rolled back by PostgreSQL. Anything else
 * stays what it was (an unexpected failure is a 500).
 */
public final class StoreFailures {
  /** Seconds a client is told to wait before retrying. */
  static final int BUSY_RETRY_AFTER = 1;

  static final int TIMEOUT_RETRY_AFTER = 2;
  static final int UNAVAILABLE_RETRY_AFTER = 5;

  /** The message of the pool's acquire timeout (a shared stackless {@link VertxException}). */
  private static final String ACQUIRE_TIMEOUT = "Timeout waiting for connection";

  /**
   * The SQL client's stackless {@link VertxException}s for a connection that is gone: a command
   * given to a connection already closed ("Connection is not active now, current status: CLOSED"),
   * and the commands pipelined behind one whose server went away ("Pending requests failed to be
   * sent due to connection has been closed."). Both reach a request while PostgreSQL restarts.
   */
  private static final String NOT_ACTIVE = "Connection is not active now";

  private static final String PENDING_FAILED = "Pending requests failed to be sent";

  /** "host:port" of every database a {@link Database} was opened on, to tell its connects apart. */
  private static final Set<String> ADDRESSES = ConcurrentHashMap.newKeySet();

  private StoreFailures() {}

  static void register(String host, int port) {
    ADDRESSES.add(host + ":" + port);
  }

  /**
   * The coded answer to {@code failure} (or a cause of it) when it is a database fault; null
   * otherwise.
   */
  public static ApiException classify(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      ApiException found = classifyOne(t);
      if (found != null) return found;
    }
    return null;
  }

  private static ApiException classifyOne(Throwable t) {
    if (t instanceof PgException pg) {
      String state = pg.getSqlState() == null ? "" : pg.getSqlState();
      return switch (state) {
        // query_canceled (statement_timeout), lock_not_available (lock_timeout)
        case "57014", "55P03" -> coded(ErrorCode.STORE_TIMEOUT, TIMEOUT_RETRY_AFTER);
        // admin_shutdown, crash_shutdown, cannot_connect_now, too_many_connections
        case "57P01", "57P02", "57P03", "53300" ->
            coded(ErrorCode.STORE_UNAVAILABLE, UNAVAILABLE_RETRY_AFTER);
        default ->
            state.startsWith("08")
                ? coded(ErrorCode.STORE_UNAVAILABLE, UNAVAILABLE_RETRY_AFTER)
                : null;
      };
    }
    if (t instanceof ClosedConnectionException) {
      return coded(ErrorCode.STORE_UNAVAILABLE, UNAVAILABLE_RETRY_AFTER);
    }
    if (t instanceof ConnectionPoolTooBusyException) {
      // Only the SQL pool's: the department clients' pools are turned into department.busy first.
      return coded(ErrorCode.STORE_BUSY, BUSY_RETRY_AFTER);
    }
    if (t instanceof VertxException && t.getMessage() != null) {
      String message = t.getMessage();
      if (ACQUIRE_TIMEOUT.equals(message)) return coded(ErrorCode.STORE_BUSY, BUSY_RETRY_AFTER);
      if (message.startsWith(NOT_ACTIVE) || message.startsWith(PENDING_FAILED)) {
        return coded(ErrorCode.STORE_UNAVAILABLE, UNAVAILABLE_RETRY_AFTER);
      }
    }
    if (t instanceof ClosedChannelException) {
      // Netty's (stackless) answer to a write on a channel that has closed under the statement.
      return coded(ErrorCode.STORE_UNAVAILABLE, UNAVAILABLE_RETRY_AFTER);
    }
    if (t instanceof SocketException && !(t instanceof ConnectException)) {
      // An established PostgreSQL connection reset or broken under a statement (the server went
      // away mid-query: "Connection reset"). The department and channel clients turn their own
      // socket failures into their codes before anything reaches the responder, so a bare one here
      // is the database's.
      return coded(ErrorCode.STORE_UNAVAILABLE, UNAVAILABLE_RETRY_AFTER);
    }
    if (t instanceof IOException
        && ("Broken pipe".equals(t.getMessage())
            || "Connection reset by peer".equals(t.getMessage()))) {
      // The same, as the JDK's and Netty's native transports word it for a plain IOException.
      return coded(ErrorCode.STORE_UNAVAILABLE, UNAVAILABLE_RETRY_AFTER);
    }
    if (t instanceof ConnectException && t.getMessage() != null) {
      // Netty names the address: "Connection refused: /127.0.0.1:5432" (or "localhost/…").
      String message = t.getMessage();
      for (String address : ADDRESSES) {
        int colon = address.lastIndexOf(':');
        if (message.endsWith(address.substring(colon))
            && message.contains(address.substring(0, colon))) {
          return coded(ErrorCode.STORE_UNAVAILABLE, UNAVAILABLE_RETRY_AFTER);
        }
      }
    }
    return null;
  }

  private static ApiException coded(ErrorCode code, int retryAfter) {
    return code.error().withRetryAfter(retryAfter);
  }
}
