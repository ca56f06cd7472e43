package cn.govgate.payments;

import cn.govgate.channel.spi.Channel;
import cn.govgate.channel.spi.ChannelAdapter;
import cn.govgate.channel.spi.ChannelException;
import cn.govgate.channel.spi.Payments.PrepayRequest;
import cn.govgate.error.ApiException;
import cn.govgate.error.ErrorCode;
import cn.govgate.identity.CitizenDirectory;
import cn.govgate.identity.Identity;
import cn.govgate.identity.Session;
import cn.govgate.registry.DepartmentAnswer;
import cn.govgate.registry.DepartmentClient;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Creating and reading orders. The department confirms the bill and its amount (never the client);
 * the database keeps one live order per bill and one order per (payer, idempotency key); the
 * channel prepay comes last, so a crash before it leaves a pending order without a way to pay,
 * which the reconciler closes.
 */
final class PaymentOrders {
  private static final Pattern IDEMPOTENCY_KEY = Pattern.compile("[\\x21-\\x7e]{8,64}");
  private static final Pattern REGION = Pattern.compile("[0-9]{6}");
  private static final Pattern DECISION_NUMBER = Pattern.compile("[0-9]{16}");
  private static final Pattern ACCOUNT_NO = Pattern.compile("[0-9]{10}");
  private static final List<String> UTILITY_TYPES = List.of("water", "power", "gas");
  private static final SecureRandom RANDOM = new SecureRandom();

  private final PaymentStore store;
  private final PaymentEvents events;
  private final DepartmentClient departments;
  private final Identity identity;
  private final CitizenDirectory directory;
  private final Map<Channel, ChannelAdapter> adapters;
  private final Function<Channel, String> notifyUrls;
  private final Duration orderTtl;
  private final Clock clock;

  PaymentOrders(
      PaymentStore store,
      PaymentEvents events,
      DepartmentClient departments,
      Identity identity,
      Map<Channel, ChannelAdapter> adapters,
      Function<Channel, String> notifyUrls,
      Duration orderTtl,
      Clock clock) {
    this.store = store;
    this.events = events;
    this.departments = departments;
    this.identity = identity;
    this.directory = identity.directory();
    this.adapters = adapters;
    this.notifyUrls = notifyUrls;
    this.orderTtl = orderTtl;
    this.clock = clock;
  }

  /** An order and whether this request created it (false: the same request again). */
  record Placed(PaymentOrder order, boolean created) {}

  /** What the request asks to pay, validated. */
  private record Ask(
      BillType type, String region, String decisionNumber, String utilityType, String accountNo) {
    String hash() {
      String canonical =
          String.join(
              "|",
              type.wireName(),
              region,
              String.valueOf(decisionNumber),
              String.valueOf(utilityType),
              String.valueOf(accountNo));
      try {
        return HexFormat.of()
            .formatHex(
                MessageDigest.getInstance("SHA-256")
                    .digest(canonical.getBytes(StandardCharsets.UTF_8)));
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  /** The bill as the department confirmed it. */
  private record Bill(String ref, long amountFen, String department) {}

  /** {@code POST /v1/payments}. */
  Future<Placed> place(Session session, String idempotencyKey, JsonObject body, String requestId) {
    Ask ask;
    try {
      ask = parse(idempotencyKey, body);
    } catch (ApiException e) {
      return Future.failedFuture(e);
    }
    if (!session.level().atLeast(ask.type().level())) {
      return Future.failedFuture(
          ErrorCode.IDENTITY_STEP_UP_REQUIRED.error(
              new JsonObject()
                  .put("requiredLevel", ask.type().level().name())
                  .put("currentLevel", session.level().name())));
    }
    ChannelAdapter adapter = adapters.get(session.channel());
    if (adapter == null) {
      return Future.failedFuture(ErrorCode.PAYMENT_CHANNEL_NOT_CONFIGURED.error());
    }
    String hash = ask.hash();
    return store
        .byIdempotencyKey(session.identityKey(), idempotencyKey)
        .compose(
            existing -> {
              if (existing != null) return replay(existing, hash, adapter);
              return confirm(session, ask, requestId)
                  .compose(
                      bill ->
                          identity
                              .channelSubject(session.identityKey())
                              .compose(
                                  payer ->
                                      insertAndPrepay(
                                          session,
                                          idempotencyKey,
                                          ask,
                                          hash,
                                          bill,
                                          payer,
                                          adapter)));
            });
  }

  private Future<Placed> replay(PaymentOrder existing, String hash, ChannelAdapter adapter) {
    if (!existing.requestHash().equals(hash)) {
      return Future.failedFuture(
          ErrorCode.PAYMENT_IDEMPOTENCY_KEY_REUSED.error(
              new JsonObject().put("orderId", existing.orderId())));
    }
    if (PaymentOrder.PENDING.equals(existing.status()) && existing.clientParams() == null) {
      // The first request stopped between the order and the prepay: finish it. Channels accept a
      // prepay of the
      // same out_trade_no with the same content again and answer the same order.
      return identity
          .channelSubject(existing.payerIdentityKey())
          .compose(payer -> prepay(existing, payer, adapter))
          .map(o -> new Placed(o, false));
    }
    return Future.succeededFuture(new Placed(existing, false));
  }

  private Future<Placed> insertAndPrepay(
      Session session,
      String key,
      Ask ask,
      String hash,
      Bill bill,
      String payer,
      ChannelAdapter adapter) {
    Instant now = clock.instant();
    String description = ask.type().title() + " " + bill.ref();
    PaymentOrder order =
        new PaymentOrder(
            newOrderId(),
            session.identityKey(),
            session.citizenKey(),
            hash,
            session.channel(),
            session.appId(),
            events.payerIndex(payer),
            ask.type(),
            ask.region(),
            bill.ref(),
            bill.department(),
            bill.amountFen(),
            description,
            PaymentOrder.PENDING,
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            now,
            now.plus(orderTtl));
    return store
        .insert(order, key)
        .compose(
            inserted -> {
              if (inserted) {
                events.count(session.channel().wireName(), "created");
                return prepay(order, payer, adapter).map(o -> new Placed(o, true));
              }
              return store
                  .byIdempotencyKey(session.identityKey(), key)
                  .compose(
                      same -> {
                        if (same != null) return replay(same, hash, adapter);
                        // The live order may be another citizen's (anyone may pay a utility bill):
                        // say only that it exists. The
                        // payer finds their own order again with their Idempotency-Key.
                        return Future.failedFuture(
                            ErrorCode.PAYMENT_BILL_ALREADY_HAS_ORDER.error());
                      });
            });
  }

  private Future<PaymentOrder> prepay(PaymentOrder order, String payer, ChannelAdapter adapter) {
    PrepayRequest request =
        new PrepayRequest(
            order.appId(),
            payer,
            order.orderId(),
            order.amountFen(),
            order.description(),
            notifyUrls.apply(order.channel()),
            order.expiresAt());
    return adapter
        .prepay(request)
        .compose(
            p ->
                store.prepared(
                    order.orderId(),
                    p.channelOrderRef(),
                    new JsonObject(Map.copyOf(p.clientParams())),
                    clock.instant()))
        .recover(
            e -> {
              // The channel gave no way to pay (the citizen never saw one): the order closes and
              // frees the bill.
              events.count(order.channel().wireName(), "prepay_failed");
              return store
                  .close(order.orderId(), "prepay_failed", clock.instant())
                  .otherwise(false)
                  .compose(v -> Future.failedFuture(channelFailure(e)));
            })
        .compose(v -> store.byId(order.orderId()));
  }

  private static ApiException channelFailure(Throwable e) {
    if (e instanceof ApiException a) return a;
    String reason =
        e instanceof ChannelException c
            ? c.fault().name().toLowerCase(java.util.Locale.ROOT)
            : "error";
    return new ApiException(
        ErrorCode.PAYMENT_CHANNEL_FAILED, new JsonObject().put("reason", reason), 30, e);
  }

  /**
   * {@code GET /v1/payments/{orderId}}: only the payer may read it; others get the same 404 as for
   * no order.
   */
  Future<PaymentOrder> read(Session session, String orderId) {
    return store
        .byId(orderId)
        .compose(
            o ->
                o == null || !o.payerIdentityKey().equals(session.identityKey())
                    ? Future.failedFuture(ErrorCode.PAYMENT_NOT_FOUND.error())
                    : Future.succeededFuture(o));
  }

  // ---------- the department confirms ----------

  private Future<Bill> confirm(Session session, Ask ask, String requestId) {
    return ask.type() == BillType.TRAFFIC_FINE
        ? confirmFine(session, ask, requestId)
        : confirmBill(ask, requestId);
  }

  private Future<Bill> confirmFine(Session session, Ask ask, String requestId) {
    return directory
        .resolve(session.citizenKey())
        .compose(
            citizen -> {
              JsonObject who =
                  new JsonObject().put("idNumber", citizen.idNumber()).put("name", citizen.name());
              // Only fines of the citizen's own vehicles, as the department lists them.
              return departments
                  .call("traffic.vehicles", ask.region(), who, new JsonObject(), requestId, true)
                  .compose(
                      owned -> {
                        fresh(owned);
                        JsonArray vehicles = owned.data().getJsonArray("vehicles", new JsonArray());
                        return findFine(who, ask, vehicles, 0, requestId);
                      });
            });
  }

  private Future<Bill> findFine(
      JsonObject who, Ask ask, JsonArray vehicles, int i, String requestId) {
    if (i >= vehicles.size()) {
      return Future.failedFuture(ErrorCode.PAYMENT_BILL_NOT_FOUND.error());
    }
    JsonObject v = vehicles.getJsonObject(i);
    JsonObject q =
        new JsonObject()
            .put("plate", v.getString("plate"))
            .put("plateType", v.getString("plateType"));
    return departments
        .call("traffic.fines", ask.region(), who, q, requestId, true)
        .compose(
            answer -> {
              fresh(answer);
              for (Object f : answer.data().getJsonArray("fines", new JsonArray())) {
                JsonObject fine = (JsonObject) f;
                if (!ask.decisionNumber().equals(fine.getString("decisionNumber"))) continue;
                if ("paid".equals(fine.getString("status"))) throw alreadyPaid();
                if (!fine.getBoolean("payable", false)) {
                  throw ErrorCode.PAYMENT_NOT_PAYABLE.error();
                }
                return payable(
                    new Bill(ask.decisionNumber(), fine.getLong("amountFen"), answer.department()));
              }
              return findFine(who, ask, vehicles, i + 1, requestId);
            });
  }

  private Future<Bill> confirmBill(Ask ask, String requestId) {
    JsonObject q =
        new JsonObject().put("utilityType", ask.utilityType()).put("accountNo", ask.accountNo());
    return departments
        .call("utilities.bill", ask.region(), null, q, requestId, true)
        .compose(
            answer -> {
              fresh(answer);
              JsonObject bill = answer.data();
              if ("paid".equals(bill.getString("status"))) throw alreadyPaid();
              return payable(
                  new Bill(
                      bill.getString("billRef"), bill.getLong("amountFen"), answer.department()));
            });
  }

  private static Future<Bill> payable(Bill bill) {
    if (bill.amountFen() <= 0) {
      return Future.failedFuture(ErrorCode.PAYMENT_NOTHING_TO_PAY.error());
    }
    return Future.succeededFuture(bill);
  }

  private static ApiException alreadyPaid() {
    return ErrorCode.PAYMENT_ALREADY_PAID.error();
  }

  /** An amount to charge must come from the department now, never from a last-known-good copy. */
  private static void fresh(DepartmentAnswer answer) {
    if (answer.stale()) {
      throw ApiException.ofDepartment(ErrorCode.DEPARTMENT_UNAVAILABLE, answer.department())
          .withRetryAfter(60);
    }
  }

  // ---------- request parsing ----------

  private static Ask parse(String key, JsonObject body) {
    JsonObject errors = new JsonObject();
    if (key == null || !IDEMPOTENCY_KEY.matcher(key).matches()) {
      throw ErrorCode.PAYMENT_IDEMPOTENCY_KEY_REQUIRED.error();
    }
    if (body == null) throw ErrorCode.REQUEST_MALFORMED_JSON.error();
    BillType type = BillType.fromWire(string(body, "billType"));
    if (type == null) errors.put("billType", "one of traffic_fine, utility_bill");
    String region = string(body, "region");
    if (region == null || !REGION.matcher(region).matches()) errors.put("region", "6 digits");
    String decision = null;
    String utilityType = null;
    String accountNo = null;
    if (type == BillType.TRAFFIC_FINE) {
      decision = string(body, "decisionNumber");
      if (decision == null || !DECISION_NUMBER.matcher(decision).matches()) {
        errors.put("decisionNumber", "16 digits");
      }
    } else if (type == BillType.UTILITY_BILL) {
      utilityType = string(body, "utilityType");
      accountNo = string(body, "accountNo");
      if (!UTILITY_TYPES.contains(utilityType))
        errors.put("utilityType", "one of water, power, gas");
      if (accountNo == null || !ACCOUNT_NO.matcher(accountNo).matches())
        errors.put("accountNo", "10 digits");
    }
    if (!errors.isEmpty()) throw ApiException.invalidFields(errors);
    return new Ask(type, region, decision, utilityType, accountNo);
  }

  private static String string(JsonObject body, String field) {
    Object v = body.getValue(field);
    return v instanceof String s ? s : null;
  }

  /** 32 characters, the longest out_trade_no both channels accept. */
  private static String newOrderId() {
    byte[] bytes = new byte[15];
    RANDOM.nextBytes(bytes);
    return "GG" + HexFormat.of().withUpperCase().formatHex(bytes);
  }
}
