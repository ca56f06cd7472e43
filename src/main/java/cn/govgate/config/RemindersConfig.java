package cn.govgate.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Proactive reminders (主动服务): the scheduler's rhythm and the subscription templates of each
 * mini-program.
 *
 * <p>A template is configured per app and topic ({@code traffic_fine}, {@code utility_bill}, {@code
 * proof_expiring}, {@code complaint_reply}): {@code reminders.templates.<appId>.<topic>} = the
 * template id from the platform's console, {@code .fields} = {@code keyword=field,…} (which of the
 * reminder's fields goes into which template keyword: WeChat {@code thing1}, {@code amount2}…,
 * Alipay {@code keyword1}…), optional {@code .page} (the page the message opens; {@code {ref}} is
 * replaced by the item's reference) and {@code .mode} ({@code one_time}, the default, or {@code
 * long_term}). Fields: traffic_fine {@code title, plate, amount, due, offence}; utility_bill {@code
 * title, account, amount, due, period}; proof_expiring {@code title, serial, due}; complaint_reply
 * {@code title, reference, department, time}. A topic without a template on an app cannot be
 * subscribed there.
 *
 * @param findInterval how often an instance asks what is due for subscriptions ({@code
 *     reminders.findInterval}, default 1h; each subscription is asked about at most once per
 *     interval across instances)
 * @param sendInterval how often an instance sends due reminders ({@code reminders.sendInterval},
 *     default 10s)
 * @param batch subscriptions or reminders claimed per round ({@code reminders.batch}, default 100;
 *     also the most citizens asked about in one department call)
 * @param dueWithin bills and fines due within this are reminded of ({@code reminders.dueWithin},
 *     default 3d)
 * @param proofNotice proofs expiring within this are reminded of ({@code reminders.proofNotice},
 *     default 3d)
 * @param retryBackoff wait after a send the platform could not take, doubled per attempt ({@code
 *     reminders.retryBackoff}, default 1m)
 * @param maxBackoff the longest wait between attempts ({@code reminders.maxBackoff}, default 1h)
 * @param maxAge a reminder not sent within this is given up ({@code reminders.maxAge}, default 1d)
 * @param lease how long a claimed send may take before it counts as of unknown outcome ({@code
 *     reminders.lease}, default 2m)
 * @param templates appId → topic → template
 */
public record RemindersConfig(
    Duration findInterval,
    Duration sendInterval,
    int batch,
    Duration dueWithin,
    Duration proofNotice,
    Duration retryBackoff,
    Duration maxBackoff,
    Duration maxAge,
    Duration lease,
    Map<String, Map<String, Template>> templates) {

  /** The topics, as in the API and the configuration keys. */
  public static final List<String> TOPICS =
      List.of("traffic_fine", "utility_bill", "proof_expiring", "complaint_reply");

  /**
   * One template of an app.
   *
   * @param id the platform's template id
   * @param fields template keyword → reminder field
   * @param page the page the message opens ({@code {ref}} replaced), null for none
   * @param longTerm whether one grant allows repeated messages
   */
  public record Template(String id, Map<String, String> fields, String page, boolean longTerm) {
    public Template {
      fields = Map.copyOf(fields);
    }
  }

  static RemindersConfig from(ConfigValues v, ChannelsConfig channels) {
    List<String> apps = new ArrayList<>();
    if (channels.alipay() != null) channels.alipay().apps().forEach(a -> apps.add(a.appId()));
    if (channels.wechat() != null) channels.wechat().apps().forEach(a -> apps.add(a.appId()));
    Map<String, Map<String, Template>> templates = new LinkedHashMap<>();
    for (String app : apps) {
      Map<String, Template> byTopic = new LinkedHashMap<>();
      for (String topic : TOPICS) {
        String base = "reminders.templates." + app + "." + topic;
        String id = v.raw(base);
        String fields = v.raw(base + ".fields");
        String page = v.raw(base + ".page");
        String mode = v.oneOf(base + ".mode", "one_time", "one_time", "long_term");
        if (id == null) {
          if (fields != null || page != null)
            throw new ConfigException(base, "is required when .fields or .page is set");
          continue;
        }
        if (fields == null)
          throw new ConfigException(base + ".fields", "is required: keyword=field,…");
        byTopic.put(
            topic,
            new Template(
                id, fieldMap(base + ".fields", fields, topic), page, mode.equals("long_term")));
      }
      if (!byTopic.isEmpty()) templates.put(app, Map.copyOf(byTopic));
    }
    return new RemindersConfig(
        v.duration(
            "reminders.findInterval",
            Duration.ofHours(1),
            Duration.ofMillis(50),
            Duration.ofDays(1)),
        v.duration(
            "reminders.sendInterval",
            Duration.ofSeconds(10),
            Duration.ofMillis(50),
            Duration.ofHours(1)),
        v.integer("reminders.batch", 100, 1, 100),
        v.duration("reminders.dueWithin", Duration.ofDays(3), Duration.ZERO, Duration.ofDays(60)),
        v.duration("reminders.proofNotice", Duration.ofDays(3), Duration.ZERO, Duration.ofDays(60)),
        v.duration(
            "reminders.retryBackoff",
            Duration.ofMinutes(1),
            Duration.ofMillis(10),
            Duration.ofHours(1)),
        v.duration(
            "reminders.maxBackoff", Duration.ofHours(1), Duration.ofMillis(10), Duration.ofDays(1)),
        v.duration(
            "reminders.maxAge", Duration.ofDays(1), Duration.ofMinutes(1), Duration.ofDays(30)),
        v.duration(
            "reminders.lease", Duration.ofMinutes(2), Duration.ofSeconds(1), Duration.ofHours(1)),
        Map.copyOf(templates));
  }

  private static final Map<String, List<String>> FIELDS =
      Map.of(
          "traffic_fine", List.of("title", "plate", "amount", "due", "offence"),
          "utility_bill", List.of("title", "account", "amount", "due", "period"),
          "proof_expiring", List.of("title", "serial", "due"),
          "complaint_reply", List.of("title", "reference", "department", "time"));

  private static Map<String, String> fieldMap(String key, String raw, String topic) {
    Map<String, String> map = new LinkedHashMap<>();
    for (String pair : raw.split(",")) {
      String[] kv = pair.strip().split("=", 2);
      if (kv.length != 2
          || !kv[0].strip().matches("[a-z_]+[0-9]*")
          || !FIELDS.get(topic).contains(kv[1].strip())) {
        throw new ConfigException(
            key, "must be keyword=field pairs with fields from " + FIELDS.get(topic));
      }
      map.put(kv[0].strip(), kv[1].strip());
    }
    return map;
  }

  /** The template of a topic on an app, null when none is configured. */
  public Template template(String appId, String topic) {
    Map<String, Template> byTopic = templates.get(appId);
    return byTopic == null ? null : byTopic.get(topic);
  }
}
