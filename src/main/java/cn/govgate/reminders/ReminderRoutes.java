package cn.govgate.reminders;

import cn.govgate.audit.AuditEvent;
import cn.govgate.audit.AuditLog;
import cn.govgate.config.RemindersConfig;
import cn.govgate.error.ApiException;
import cn.govgate.error.ErrorCode;
import cn.govgate.http.RequestIds;
import cn.govgate.identity.Session;
import cn.govgate.reminders.ReminderStore.Subscription;
import cn.govgate.services.Catalogue;
import cn.govgate.services.OfferedServices;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.util.List;

/**
 * The citizen's reminder routes (L2 and above): which templates the mini-program asks the user
 * about ({@code GET /reminders/templates}), recording an accepted grant ({@code POST
 * /reminders/subscriptions}), listing and cancelling their subscriptions. Subscriptions are always
 * the session citizen's own.
 */
public final class ReminderRoutes {
  private final Reminders reminders;
  private final OfferedServices offered;
  private final AuditLog audit;

  public ReminderRoutes(Reminders reminders, OfferedServices offered, AuditLog audit) {
    this.reminders = reminders;
    this.offered = offered;
    this.audit = audit;
  }

  public void mountCitizen(
      Router router, Handler<RoutingContext> authenticate, Handler<RoutingContext> l2) {
    router
        .get("/reminders/templates")
        .handler(authenticate)
        .handler(l2)
        .respond(
            ctx -> {
              Session session = Session.of(ctx);
              JsonArray topics = new JsonArray();
              for (String topic : RemindersConfig.TOPICS) {
                RemindersConfig.Template t = reminders.config().template(session.appId(), topic);
                if (t != null) {
                  topics.add(
                      new JsonObject()
                          .put("topic", topic)
                          .put("templateId", t.id())
                          .put("mode", t.longTerm() ? "long_term" : "one_time"));
                }
              }
              return Future.succeededFuture(
                  new JsonObject()
                      .put("channel", session.channel().wireName())
                      .put("appId", session.appId())
                      .put("topics", topics));
            });
    router
        .post("/reminders/subscriptions")
        .handler(authenticate)
        .handler(l2)
        .respond(this::subscribe);
    router
        .get("/reminders/subscriptions")
        .handler(authenticate)
        .handler(l2)
        .respond(
            ctx -> {
              Session session = Session.of(ctx);
              return reminders
                  .store()
                  .ofCitizen(session.citizenKey())
                  .compose(
                      subs ->
                          reminders
                              .store()
                              .lastSent(subs.stream().map(Subscription::id).toList())
                              .map(
                                  last -> {
                                    JsonArray items = new JsonArray();
                                    subs.forEach(s -> items.add(json(s, last.get(s.id()))));
                                    return new JsonObject().put("items", items);
                                  }))
                  .andThen(
                      ar ->
                          audited(
                              ctx,
                              session,
                              "reminders.subscriptions_read",
                              ar.succeeded(),
                              new JsonObject()));
            });
    router
        .delete("/reminders/subscriptions/:id")
        .handler(authenticate)
        .handler(l2)
        .respond(
            ctx -> {
              Session session = Session.of(ctx);
              String raw = ctx.pathParam("id");
              long id = raw.matches("[0-9]{1,18}") ? Long.parseLong(raw) : -1;
              return reminders
                  .store()
                  .cancel(session.citizenKey(), id, reminders.clock().instant())
                  .compose(
                      s ->
                          s == null
                              ? Future.failedFuture(notFound())
                              : Future.succeededFuture(json(s, null)))
                  .andThen(
                      ar ->
                          audited(
                              ctx,
                              session,
                              "reminders.unsubscribed",
                              ar.succeeded(),
                              new JsonObject().put("subscriptionId", raw)));
            });
  }

  private Future<JsonObject> subscribe(RoutingContext ctx) {
    Session session = Session.of(ctx);
    JsonObject body;
    try {
      body = ctx.body().asJsonObject();
    } catch (RuntimeException e) {
      throw ErrorCode.REQUEST_MALFORMED_JSON.error();
    }
    if (body == null)
      throw ApiException.invalidFields(new JsonObject().put("body", "must be a JSON object"));
    String topic =
        body.getValue("topic") instanceof String s && RemindersConfig.TOPICS.contains(s) ? s : null;
    if (topic == null) {
      throw ApiException.invalidFields(
          new JsonObject().put("topic", "one of " + RemindersConfig.TOPICS));
    }
    RemindersConfig.Template template = reminders.config().template(session.appId(), topic);
    if (template == null) {
      throw ErrorCode.REMINDER_TOPIC_UNAVAILABLE.error();
    }
    JsonObject errors = new JsonObject();
    if (!template.id().equals(body.getValue("templateId"))) {
      errors.put("templateId", "the template this mini-program asked the user about for the topic");
    }
    String region = null;
    String utilityType = null;
    String accountNo = null;
    String serviceType = null;
    if (topic.equals("traffic_fine") || topic.equals("utility_bill")) {
      region = body.getValue("region") instanceof String s && s.matches("[0-9]{6}") ? s : null;
      if (region == null) errors.put("region", "a six-digit GB/T 2260 code");
      serviceType = topic.equals("traffic_fine") ? "traffic.due-fines" : "utilities.due-bills";
    }
    if (topic.equals("utility_bill")) {
      utilityType =
          body.getValue("utilityType") instanceof String s
                  && List.of("water", "power", "gas").contains(s)
              ? s
              : null;
      if (utilityType == null) errors.put("utilityType", "one of water, power, gas");
      accountNo =
          body.getValue("accountNo") instanceof String s && s.matches("[0-9]{10}") ? s : null;
      if (accountNo == null) errors.put("accountNo", "10 digits");
    }
    if (!errors.isEmpty()) throw ApiException.invalidFields(errors);
    if (region != null && !offered.knownRegions().contains(region))
      throw Catalogue.unknownRegion(offered);
    if (serviceType != null && offered.departmentFor(serviceType, region).isEmpty()) {
      throw ErrorCode.REGION_SERVICE_NOT_OFFERED.error(
          new JsonObject().put("serviceType", serviceType).put("region", region));
    }
    String scope =
        region == null
            ? ""
            : accountNo == null ? region : region + "|" + utilityType + "|" + accountNo;
    Instant now = reminders.clock().instant();
    return reminders
        .store()
        .subscribe(
            session.citizenKey(),
            session.identityKey(),
            session.channel().wireName(),
            session.appId(),
            topic,
            template.id(),
            template.longTerm(),
            scope,
            region,
            utilityType,
            accountNo,
            now,
            Reminders.MAX_GRANTS)
        .map(
            s -> {
              ctx.response().setStatusCode(201);
              return json(s, null);
            })
        .andThen(
            ar ->
                audited(
                    ctx,
                    session,
                    "reminders.subscribed",
                    ar.succeeded(),
                    new JsonObject().put("topic", topic)));
  }

  private static JsonObject json(Subscription s, Instant lastSent) {
    JsonObject j =
        new JsonObject()
            .put("id", Long.toString(s.id()))
            .put("topic", s.topic())
            .put("channel", s.channel())
            .put("appId", s.appId())
            .put("templateId", s.templateId())
            .put("mode", s.longTerm() ? "long_term" : "one_time")
            .put("status", s.status())
            .put("createdAt", s.createdAt().toString());
    if (!s.longTerm()) j.put("remainingGrants", s.grants());
    if (s.region() != null) j.put("region", s.region());
    if (s.utilityType() != null) j.put("utilityType", s.utilityType());
    if (s.accountNo() != null) j.put("accountNo", "******" + s.accountNo().substring(6));
    if (lastSent != null) j.put("lastReminderAt", lastSent.toString());
    return j;
  }

  private static ApiException notFound() {
    return ErrorCode.REMINDER_NOT_FOUND.error();
  }

  private void audited(
      RoutingContext ctx, Session session, String action, boolean success, JsonObject details) {
    audit.record(
        new AuditEvent(
            "citizen",
            session.citizenKey(),
            action,
            session.citizenKey(),
            success ? "success" : "failure",
            RequestIds.of(ctx),
            details));
  }
}
