package cn.govgate.channel.alipay.sim;

import cn.govgate.channel.alipay.AlipayCrypto;
import cn.govgate.channel.alipay.SignType;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What the simulated platform remembers: apps, users, auth codes, tokens, certifications and
 * orders.
 */
final class SimState {

  private static final SecureRandom RANDOM = new SecureRandom();

  /** One registered app: how it signs and how the simulator signs back. */
  record SimApp(
      String appId,
      SignType type,
      AlipayCrypto.Verifier verifier,
      AlipayCrypto.Signer platformSigner) {}

  record AuthCode(String appId, String userId, Instant expiresAt) {}

  record Token(String appId, String userId) {}

  /** A certification started by initialize; {@code passed} null until performed. */
  static final class Certification {
    final String appId;
    final String outerOrderNo;
    final String certName;
    final String certNo;
    final String returnUrl;
    volatile Boolean passed;

    Certification(
        String appId, String outerOrderNo, String certName, String certNo, String returnUrl) {
      this.appId = appId;
      this.outerOrderNo = outerOrderNo;
      this.certName = certName;
      this.certNo = certNo;
      this.returnUrl = returnUrl;
    }
  }

  /** A trade created by trade.create. */
  static final class Order {
    final String appId;
    final String outTradeNo;
    final String tradeNo;
    final String totalAmount;
    final String subject;
    final String buyerId;
    final String notifyUrl;
    final Instant createdAt;
    volatile String status = "WAIT_BUYER_PAY";
    volatile Instant paidAt;
    volatile Map<String, String> lastNotification;
    final AtomicInteger deliveries = new AtomicInteger();
    volatile boolean acknowledged;

    /**
     * Refunds by {@code out_request_no} (or the {@code out_trade_no} when the request had none), in
     * fen.
     */
    final Map<String, Long> refunds = new java.util.LinkedHashMap<>();

    /**
     * Refunds accepted but not done yet (knob {@code refundsProcessing}), by {@code
     * out_request_no}, in fen; guarded by the order's lock like {@link #refunds}.
     */
    final Map<String, Long> refundsProcessing = new java.util.LinkedHashMap<>();

    /** How many {@code alipay.trade.fastpay.refund.query} calls asked about this trade. */
    final AtomicInteger refundQueries = new AtomicInteger();

    volatile Instant refundedAt;

    /** Refund notifications sent (§8.3) by {@code out_request_no}: the parameters as signed. */
    final Map<String, Map<String, String>> refundNotifications =
        new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * The {@code out_request_no}s whose refund notification was answered exactly {@code success}.
     */
    final java.util.Set<String> refundsAcknowledged =
        java.util.concurrent.ConcurrentHashMap.newKeySet();

    final AtomicInteger refundDeliveries = new AtomicInteger();

    Order(
        String appId,
        String outTradeNo,
        String tradeNo,
        String totalAmount,
        String subject,
        String buyerId,
        String notifyUrl,
        Instant createdAt) {
      this.appId = appId;
      this.outTradeNo = outTradeNo;
      this.tradeNo = tradeNo;
      this.totalAmount = totalAmount;
      this.subject = subject;
      this.buyerId = buyerId;
      this.notifyUrl = notifyUrl;
      this.createdAt = createdAt;
    }
  }

  final Map<String, SimApp> apps = new ConcurrentHashMap<>();
  final Map<String, SimUser> users = new ConcurrentHashMap<>();
  final Map<String, AuthCode> authCodes = new ConcurrentHashMap<>();
  final Map<String, Token> tokens = new ConcurrentHashMap<>();
  final Map<String, Certification> certifications = new ConcurrentHashMap<>();

  /** A subscription template of an app: its keywords and whether it is long-term. */
  record Template(
      String appId, String templateId, java.util.List<String> keywords, boolean longTerm) {}

  /** Templates keyed by {@code appId/templateId}. */
  final Map<String, Template> templates = new ConcurrentHashMap<>();

  /**
   * Grants keyed by {@code appId/userId/templateId}: sends left (Integer.MAX_VALUE for a long-term
   * template).
   */
  final Map<String, Integer> grants = new ConcurrentHashMap<>();

  final java.util.List<SimSubscriptionMessage> delivered =
      new java.util.concurrent.CopyOnWriteArrayList<>();

  /**
   * Spends one grant of a one-time template (none of a long-term one); false when there is none.
   */
  synchronized boolean spendGrant(String key, boolean longTerm) {
    Integer n = grants.get(key);
    if (n == null || n <= 0) return false;
    if (!longTerm) {
      if (n == 1) grants.remove(key);
      else grants.put(key, n - 1);
    }
    return true;
  }

  /** Orders keyed by {@code appId/outTradeNo}: out_trade_no is unique per app. */
  final Map<String, Order> orders = new ConcurrentHashMap<>();

  Order findOrder(String outTradeNo) {
    return orders.values().stream()
        .filter(o -> o.outTradeNo.equals(outTradeNo))
        .findFirst()
        .orElse(null);
  }

  static String randomHex(int bytes) {
    byte[] b = new byte[bytes];
    RANDOM.nextBytes(b);
    return HexFormat.of().formatHex(b);
  }

  static String randomDigits(int n) {
    StringBuilder s = new StringBuilder(n);
    for (int i = 0; i < n; i++) s.append(RANDOM.nextInt(10));
    return s.toString();
  }
}
