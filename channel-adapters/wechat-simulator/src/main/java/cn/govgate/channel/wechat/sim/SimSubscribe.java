package cn.govgate.channel.wechat.sim;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Pattern;

/**
 * Subscribe messages (§10): the templates of each app with their keywords, the grants users gave
 * through {@code wx.requestSubscribeMessage} (one send per {@code accept} of a one-time template; a
 * long-term template until refused), and {@code POST /cgi-bin/message/subscribe/send} with the
 * platform's checks: access token (40001/42001), recipient a user of the app (40003), known
 * template (40037), data keys exactly the template's keywords with values that follow their type
 * (47003), a grant to spend (43101). What it accepted is kept for tests.
 */
final class SimSubscribe {

  /**
   * A template of an app: its keywords ({@code thing1}, {@code amount2}…) and whether it is
   * long-term.
   */
  record Template(String appId, String templateId, List<String> keywords, boolean longTerm) {}

  private static final Map<String, Pattern> RULES =
      Map.ofEntries(
          Map.entry("thing", Pattern.compile("(?s).{1,20}")),
          Map.entry("number", Pattern.compile("[0-9]+(\\.[0-9]+)?")),
          Map.entry("letter", Pattern.compile("[A-Za-z]{1,32}")),
          Map.entry("symbol", Pattern.compile("\\p{Punct}{1,5}")),
          Map.entry("character_string", Pattern.compile("[0-9A-Za-z\\p{Punct}]{1,32}")),
          Map.entry("time", Pattern.compile("[0-9]{1,2}:[0-9]{2}(:[0-9]{2})?.*|[0-9]{4}.+")),
          Map.entry("date", Pattern.compile("[0-9]{4}[-年/][0-9]{1,2}[-月/][0-9]{1,2}日?.*")),
          Map.entry("amount", Pattern.compile("[¥￥$]?[0-9]{1,10}(\\.[0-9]{1,2})?元?")),
          Map.entry("phone_number", Pattern.compile("[0-9+\\-() ]{1,17}")),
          Map.entry("car_number", Pattern.compile(".{1,8}")),
          Map.entry("name", Pattern.compile("[\\p{IsHan}·]{1,10}|[A-Za-z ]{1,20}")),
          Map.entry("phrase", Pattern.compile("\\p{IsHan}{1,5}")));

  private final WechatSimulator sim;
  final Map<String, Template> templates = new ConcurrentHashMap<>();
  final Map<String, Integer> grants = new ConcurrentHashMap<>();
  final List<SimSubscribeMessage> delivered = new CopyOnWriteArrayList<>();

  SimSubscribe(WechatSimulator sim) {
    this.sim = sim;
  }

  void mount(Router router) {
    router
        .post("/cgi-bin/message/subscribe/send")
        .handler(ctx -> sim.gate(ctx, "subscribe_send", false, this::send));
  }

  private static String key(String appId, String openid, String templateId) {
    return appId + "\n" + openid + "\n" + templateId;
  }

  void registerTemplate(String appId, String templateId, List<String> keywords, boolean longTerm) {
    for (String k : keywords) {
      if (!RULES.containsKey(k.replaceAll("[0-9]+$", "")))
        throw new IllegalArgumentException("unknown keyword type " + k);
    }
    templates.put(
        appId + "\n" + templateId,
        new Template(appId, templateId, List.copyOf(keywords), longTerm));
  }

  /**
   * The user answers {@code wx.requestSubscribeMessage} for these templates: {@code accept} adds a
   * grant (a long-term template stays granted), {@code reject} withdraws it. Returns what the
   * mini-program's success callback receives.
   */
  synchronized JsonObject request(String appId, String openid, Map<String, String> choices) {
    if (choices.isEmpty() || choices.size() > 3)
      throw new IllegalArgumentException("1 to 3 template ids");
    JsonObject result = new JsonObject().put("errMsg", "requestSubscribeMessage:ok");
    choices.forEach(
        (templateId, choice) -> {
          Template t = templates.get(appId + "\n" + templateId);
          String answer = t == null ? "filter" : choice;
          String k = key(appId, openid, templateId);
          if ("accept".equals(answer)) {
            grants.put(k, t.longTerm() ? Integer.MAX_VALUE : grants.getOrDefault(k, 0) + 1);
          } else if ("reject".equals(answer) || "ban".equals(answer)) {
            grants.remove(k);
          }
          result.put(templateId, answer);
        });
    return result;
  }

  /**
   * Spends a grant: one of a one-time template, none of a long-term one; false when there is none.
   */
  private synchronized boolean spend(String k, boolean longTerm) {
    Integer n = grants.get(k);
    if (n == null || n <= 0) return false;
    if (!longTerm) {
      if (n == 1) grants.remove(k);
      else grants.put(k, n - 1);
    }
    return true;
  }

  private void send(RoutingContext ctx) {
    JsonObject body = sim.jsonBody(ctx);
    String appId = tokenApp(ctx);
    if (appId == null) return;
    if (body == null) {
      sim.json(ctx, 200, SimMiniProgram.errcode(47001, "data format error"));
      return;
    }
    String openid = body.getValue("touser") instanceof String s ? s : null;
    if (openid == null
        || !sim.mini().memberships.containsKey(SimMiniProgram.membership(appId, openid))) {
      sim.json(ctx, 200, SimMiniProgram.errcode(40003, "invalid openid"));
      return;
    }
    String templateId = body.getValue("template_id") instanceof String s ? s : "";
    Template t = templates.get(appId + "\n" + templateId);
    if (t == null) {
      sim.json(ctx, 200, SimMiniProgram.errcode(40037, "invalid template_id"));
      return;
    }
    String invalid = invalidData(t, body.getValue("data"));
    if (invalid != null) {
      sim.json(ctx, 200, SimMiniProgram.errcode(47003, "argument invalid! " + invalid));
      return;
    }
    String k = key(appId, openid, templateId);
    if (!spend(k, t.longTerm())) {
      sim.json(ctx, 200, SimMiniProgram.errcode(43101, "user refuse to accept the msg"));
      return;
    }
    delivered.add(
        new SimSubscribeMessage(
            appId,
            openid,
            templateId,
            body.getString("page"),
            body.getJsonObject("data").copy(),
            sim.now()));
    sim.json(ctx, 200, SimMiniProgram.ok());
  }

  private static String invalidData(Template t, Object raw) {
    if (!(raw instanceof JsonObject data)) return "data must be an object";
    for (String keyword : t.keywords()) {
      Object entry = data.getValue(keyword);
      if (!(entry instanceof JsonObject o)
          || !(o.getValue("value") instanceof String value)
          || value.isEmpty()) {
        return "data." + keyword + ".value is empty";
      }
      Pattern rule = RULES.get(keyword.replaceAll("[0-9]+$", ""));
      if (!rule.matcher(value).matches()) return "data." + keyword + ".value invalid";
    }
    for (String field : data.fieldNames()) {
      if (!t.keywords().contains(field))
        return "data." + field + " is not a keyword of the template";
    }
    return null;
  }

  private String tokenApp(RoutingContext ctx) {
    return sim.mini().tokenAppOf(ctx);
  }

  JsonArray deliveredJson() {
    JsonArray out = new JsonArray();
    for (SimSubscribeMessage d : delivered) {
      out.add(
          new JsonObject()
              .put("appId", d.appId())
              .put("touser", d.openid())
              .put("templateId", d.templateId())
              .put("page", d.page())
              .put("data", d.data())
              .put("at", d.at().toString()));
    }
    return out;
  }

  List<SimSubscribeMessage> delivered() {
    return new ArrayList<>(delivered);
  }
}
