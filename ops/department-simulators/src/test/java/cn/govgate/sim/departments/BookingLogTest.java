package cn.govgate.sim.departments;

import static cn.govgate.sim.departments.SimulatorFixture.await;
import static cn.govgate.sim.departments.SimulatorFixture.body;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cn.govgate.sim.citizens.SyntheticCitizen;
import cn.govgate.sim.departments.DepartmentData.Bill;
import cn.govgate.sim.departments.DepartmentData.HouseholdAccount;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A simulator with a booking log writes every accepted payment to it before answering, marks
 * repeated deliveries, and a simulator started again on the same file knows those payments: the
 * same order gets the same receipt, the bill stays paid and another order for it is refused.
 */
@ExtendWith(VertxExtension.class)
class BookingLogTest {
  private SimulatorFixture fixture;
  @TempDir Path dir;

  @BeforeEach
  void setUp(Vertx vertx) {
    fixture = new SimulatorFixture(vertx);
  }

  private DepartmentSimulator start(Vertx vertx, Path ledger) {
    return await(
        DepartmentSimulator.start(
            vertx,
            new DepartmentSimulatorOptions(
                    DepartmentFamily.UTILITIES,
                    SimulatorFixture.REGION,
                    SimulatorFixture.KEY_ID,
                    SimulatorFixture.SECRET,
                    0,
                    SimulatorFixture.CITIZENS,
                    SimulatorFixture.CLOCK)
                .withBookingLog(ledger)));
  }

  @Test
  void everyAcceptedPaymentIsInTheLedgerBeforeItIsAnsweredAndRepeatsAreMarked(Vertx vertx) {
    Path ledger = dir.resolve("utilities.jsonl");
    DepartmentSimulator simulator = start(vertx, ledger);
    List<JsonObject> seenBeforeAnswer = new ArrayList<>();
    List<Integer> ledgerLinesAtThatMoment = new ArrayList<>();
    simulator.beforePaymentAnswer(
        answer -> {
          seenBeforeAnswer.add(answer);
          ledgerLinesAtThatMoment.add(BookingLog.read(ledger).size());
        });
    Bill bill = unpaidBills(simulator).get(0);

    JsonObject first = pay(simulator, bill, "order-1").bodyAsJsonObject();
    JsonObject again = pay(simulator, bill, "order-1").bodyAsJsonObject();
    HttpResponse<Buffer> other = pay(simulator, bill, "order-2");

    assertThat(again).isEqualTo(first);
    assertThat(other.statusCode()).isEqualTo(409);
    List<BookingLog.Booking> lines = BookingLog.read(ledger);
    assertThat(lines).extracting(BookingLog.Booking::orderId).containsExactly("order-1", "order-1");
    assertThat(lines).extracting(BookingLog.Booking::repeat).containsExactly(false, true);
    assertThat(lines.get(0).receiptNo()).isEqualTo(first.getString("receiptNo"));
    assertThat(lines.get(0).ref()).isEqualTo(bill.billRef());
    assertThat(lines.get(0).amountFen()).isEqualTo(bill.amountFen());
    assertThat(seenBeforeAnswer)
        .extracting(j -> j.getString("orderId"))
        .containsExactly("order-1", "order-1");
    assertThat(ledgerLinesAtThatMoment).containsExactly(1, 2);
    assertThat(simulator.repeatedPayments()).isEqualTo(1);
    assertThat(simulator.bookedPayments()).isEqualTo(1);
  }

  @Test
  void aSimulatorStartedOnTheLedgerKnowsItsPaymentsAndContinuesItsReceipts(Vertx vertx) {
    Path ledger = dir.resolve("utilities.jsonl");
    DepartmentSimulator before = start(vertx, ledger);
    List<Bill> bills = unpaidBills(before);
    JsonObject first = pay(before, bills.get(0), "order-1").bodyAsJsonObject();
    await(before.close());

    DepartmentSimulator after = start(vertx, ledger);
    JsonObject replayed = pay(after, bills.get(0), "order-1").bodyAsJsonObject();
    HttpResponse<Buffer> secondOrder = pay(after, bills.get(0), "order-2");
    JsonObject next = pay(after, bills.get(1), "order-3").bodyAsJsonObject();
    JsonObject shown =
        fixture
            .post(
                after,
                "/utilities/bill",
                body(
                    "utilities.bill",
                    null,
                    new JsonObject()
                        .put("utilityType", bills.get(0).utilityType())
                        .put("accountNo", bills.get(0).accountNo())))
            .bodyAsJsonObject();

    assertThat(replayed.getString("receiptNo")).isEqualTo(first.getString("receiptNo"));
    assertThat(secondOrder.statusCode()).isEqualTo(409);
    assertThat(secondOrder.bodyAsJsonObject().getJsonObject("error").getString("code"))
        .isEqualTo("already_paid");
    assertThat(next.getString("receiptNo")).isNotEqualTo(first.getString("receiptNo"));
    assertThat(shown.getString("status")).isEqualTo("paid");
    assertThat(after.bookedPayments()).isEqualTo(2);
    assertThat(
            BookingLog.read(ledger).stream()
                .filter(b -> !b.repeat())
                .map(BookingLog.Booking::orderId))
        .containsExactly("order-1", "order-3");
  }

  @Test
  void aLastLineCutShortIsNoBookingButACorruptCompleteLineIsAnError() throws Exception {
    Path ledger = dir.resolve("cut.jsonl");
    Files.writeString(
        ledger,
        new BookingLog.Booking("o-1", "W1", 100, "SF1", "T1", "2025-06-15T10:00+08:00", false)
                .toJson()
                .encode()
            + "\n{\"orderId\":\"o-2\",\"ref",
        StandardCharsets.UTF_8);
    assertThat(BookingLog.read(ledger))
        .extracting(BookingLog.Booking::orderId)
        .containsExactly("o-1");

    Files.writeString(ledger, "garbage\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
    assertThatThrownBy(() -> BookingLog.read(ledger))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("corrupt line");
  }

  private HttpResponse<Buffer> pay(DepartmentSimulator simulator, Bill bill, String orderId) {
    return fixture.post(
        simulator,
        "/utilities/bill-payment",
        body(
            "utilities.bill-payment",
            null,
            new JsonObject()
                .put("billRef", bill.billRef())
                .put("amountFen", bill.amountFen())
                .put("orderId", orderId)
                .put("channelTradeNo", "4200002025061500000001")
                .put("paidAt", "2025-06-15T10:00:00+08:00")));
  }

  private static List<Bill> unpaidBills(DepartmentSimulator simulator) {
    List<Bill> out = new ArrayList<>();
    for (SyntheticCitizen citizen : SimulatorFixture.hangzhouCitizens()) {
      for (HouseholdAccount account : simulator.accountsOf(citizen)) {
        Bill bill = simulator.billOf(account);
        if (!bill.initiallyPaid() && bill.amountFen() > 0) out.add(bill);
      }
      if (out.size() >= 2) return out;
    }
    throw new AssertionError("no unpaid bills among the fixture's citizens");
  }
}
