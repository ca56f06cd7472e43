package cn.govgate.sim.departments;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * A department simulator's ledger of payments: an append-only file of JSON lines, each forced to
 * disk ({@code fsync}) before the payment request is answered, so what a department acknowledged
 * survives a crash of any process and can be counted from outside. One line per payment request the
 * department accepted: the first for an order is its booking, a later one for the same order a
 * repeated delivery answered from that booking ({@code repeat: true}). A simulator started on an
 * existing ledger books its payments again from it, so it still knows them after a restart.
 * Blocking file I/O: used from worker threads only.
 */
public final class BookingLog implements AutoCloseable {

  /**
   * One accepted payment request.
   *
   * @param orderId the gateway's order id (idempotency key of the department contract)
   * @param ref what was paid: the fine's decision number or the bill reference
   * @param amountFen the amount, in fen
   * @param receiptNo the department's receipt
   * @param channelTradeNo the channel's trade number the gateway reported
   * @param paidAt when the citizen paid, as the gateway reported it (ISO-8601)
   * @param repeat whether this is a repeated delivery of an order booked before
   */
  public record Booking(
      String orderId,
      String ref,
      long amountFen,
      String receiptNo,
      String channelTradeNo,
      String paidAt,
      boolean repeat) {

    JsonObject toJson() {
      return new JsonObject()
          .put("orderId", orderId)
          .put("ref", ref)
          .put("amountFen", amountFen)
          .put("receiptNo", receiptNo)
          .put("channelTradeNo", channelTradeNo)
          .put("paidAt", paidAt)
          .put("repeat", repeat);
    }

    static Booking fromJson(JsonObject json) {
      return new Booking(
          json.getString("orderId"),
          json.getString("ref"),
          json.getLong("amountFen"),
          json.getString("receiptNo"),
          json.getString("channelTradeNo"),
          json.getString("paidAt"),
          json.getBoolean("repeat", false));
    }
  }

  private final Path file;
  private final FileChannel channel;

  private BookingLog(Path file, FileChannel channel) {
    this.file = file;
    this.channel = channel;
  }

  /** Opens (creating when absent) the ledger at {@code file} for appending. */
  public static BookingLog open(Path file) {
    try {
      if (file.getParent() != null) Files.createDirectories(file.getParent());
      return new BookingLog(
          file,
          FileChannel.open(
              file,
              StandardOpenOption.CREATE,
              StandardOpenOption.WRITE,
              StandardOpenOption.APPEND));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open the booking log " + file, e);
    }
  }

  /**
   * Every complete line of the ledger at {@code file}, oldest first (none when it does not exist).
   * A last line without its newline — a write cut short by a kill before it was acknowledged — is
   * not a booking and is skipped.
   */
  public static List<Booking> read(Path file) {
    String content;
    try {
      content = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      return List.of();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the booking log " + file, e);
    }
    List<Booking> out = new ArrayList<>();
    int start = 0;
    for (int end = content.indexOf('\n');
        end >= 0;
        start = end + 1, end = content.indexOf('\n', start)) {
      String line = content.substring(start, end).strip();
      if (line.isEmpty()) continue;
      try {
        out.add(Booking.fromJson(new JsonObject(line)));
      } catch (DecodeException | ClassCastException | NullPointerException e) {
        throw new IllegalStateException(
            "corrupt line in the booking log " + file + ": " + e.getMessage(), e);
      }
    }
    return List.copyOf(out);
  }

  /** The ledger's lines so far. */
  public List<Booking> read() {
    return read(file);
  }

  public Path file() {
    return file;
  }

  /** Appends one line and forces it to disk; returns only once it is durable. */
  synchronized void append(Booking booking) {
    ByteBuffer line =
        ByteBuffer.wrap((booking.toJson().encode() + "\n").getBytes(StandardCharsets.UTF_8));
    try {
      while (line.hasRemaining()) channel.write(line);
      channel.force(false);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the booking log " + file, e);
    }
  }

  @Override
  public synchronized void close() {
    try {
      channel.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
