package cn.govgate.demo;

import cn.govgate.registry.ServiceTypes;
import cn.govgate.sim.citizens.SyntheticCitizen;
import cn.govgate.sim.citizens.SyntheticCitizens;
import cn.govgate.sim.departments.DepartmentFamily;
import cn.govgate.sim.departments.DepartmentSimulator;
import cn.govgate.sim.departments.DepartmentSimulatorOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * The demo's departments: a {@link DepartmentSimulator} for each family in Hangzhou (330100) and
 * Chengdu (510100), with the first {@code demo.citizens} synthetic citizens of seed 2024, each
 * created as a department and registered as a backend THROUGH THE ADMIN API of the running gateway
 * — the operator creates the department, assigns it its routes (service types × region) and issues
 * a credential; the department registers (or, after a restart with the same data directory,
 * updates) its backend with that credential. With a bookings directory, each simulator keeps its
 * payments in {@code <bookings>/<department>.jsonl} (a {@code BookingLog}), so a restarted demo's
 * departments still know what they booked, and a test can count it.
 */
public final class DemoDepartments {

  /** The seed of the demo's synthetic citizens, shared with the channel test users. */
  public static final long SEED = 2024;

  private static final Map<String, String> CITY =
      Map.of(SyntheticCitizens.HANGZHOU, "hz", SyntheticCitizens.CHENGDU, "cd");
  private static final Map<String, String> CITY_NAME =
      Map.of(SyntheticCitizens.HANGZHOU, "杭州市", SyntheticCitizens.CHENGDU, "成都市");

  private final List<DepartmentSimulator> simulators;
  private final List<SigningKey> keys;
  private final JsonArray manifest;
  private final WebClient client;

  private DemoDepartments(
      List<DepartmentSimulator> simulators,
      List<SigningKey> keys,
      JsonArray manifest,
      WebClient client) {
    this.simulators = simulators;
    this.keys = keys;
    this.manifest = manifest;
    this.client = client;
  }

  /**
   * The HMAC credential a demo department's simulator accepts, for clients that call the simulator
   * directly (the benchmark's baseline). A secret: never log it.
   */
  public record SigningKey(
      DepartmentFamily family, String region, String keyId, String secret, String baseUrl) {
    @Override
    public String toString() {
      return "SigningKey[" + family + ", " + region + ", " + keyId + "]";
    }
  }

  /** Starts the simulators (payments in memory) and registers them at {@code gatewayBaseUrl}. */
  public static Future<DemoDepartments> start(
      Vertx vertx, String gatewayBaseUrl, String bootstrapKey, int citizenCount, int firstPort) {
    return start(vertx, gatewayBaseUrl, bootstrapKey, citizenCount, firstPort, null);
  }

  /**
   * Starts the simulators and registers them at {@code gatewayBaseUrl} with the operator's
   * bootstrap key; payments are booked in {@code bookings/<department>.jsonl} (null = in memory
   * only).
   */
  public static Future<DemoDepartments> start(
      Vertx vertx,
      String gatewayBaseUrl,
      String bootstrapKey,
      int citizenCount,
      int firstPort,
      java.nio.file.Path bookings) {
    List<SyntheticCitizen> citizens = SyntheticCitizens.generate(citizenCount, SEED);
    WebClient client = WebClient.create(vertx);
    String operator = "Bearer " + bootstrapKey;
    List<DepartmentSimulator> simulators = new ArrayList<>();
    List<SigningKey> keys = new ArrayList<>();
    JsonArray manifest = new JsonArray();
    Future<Void> chain = Future.succeededFuture();
    int index = 0;
    for (String region : SyntheticCitizens.REGIONS) {
      for (DepartmentFamily family : DepartmentFamily.values()) {
        int port = firstPort == 0 ? 0 : firstPort + index++;
        chain =
            chain.compose(
                v ->
                    startOne(
                            vertx,
                            client,
                            gatewayBaseUrl,
                            operator,
                            family,
                            region,
                            citizens,
                            port,
                            bookings)
                        .map(
                            started -> {
                              simulators.add(started.simulator());
                              keys.add(started.key());
                              manifest.add(started.entry());
                              return null;
                            }));
      }
    }
    return chain
        .map(v -> new DemoDepartments(simulators, keys, manifest, client))
        .recover(
            e ->
                Future.join(simulators.stream().map(DepartmentSimulator::close).toList())
                    .transform(ar -> Future.failedFuture(e)));
  }

  private record Started(DepartmentSimulator simulator, JsonObject entry, SigningKey key) {}

  private static Future<Started> startOne(
      Vertx vertx,
      WebClient client,
      String base,
      String operator,
      DepartmentFamily family,
      String region,
      List<SyntheticCitizen> citizens,
      int port,
      java.nio.file.Path bookings) {
    String departmentId = departmentId(family, region);
    String keyId = departmentId + "-key";
    String secret = randomSecret();
    String name =
        CITY_NAME.get(region)
            + switch (family) {
              case SOCIAL_SECURITY -> "人力资源和社会保障局";
              case HOUSING_FUND -> "住房公积金管理中心";
              case TRAFFIC -> "公安局交通警察支队";
              case UTILITIES -> "水电燃气缴费中心";
            };
    return DepartmentSimulator.start(
            vertx,
            DepartmentSimulatorOptions.create(family, region, keyId, secret, citizens)
                .withPort(port)
                .withBookingLog(bookings == null ? null : bookingLog(bookings, departmentId)))
        .compose(
            sim -> {
              String admin = base + "/admin/v1";
              JsonObject department =
                  new JsonObject()
                      .put("id", departmentId)
                      .put("name", name)
                      .put("kind", family.wireName());
              JsonObject backend =
                  new JsonObject()
                      .put("serviceTypes", new JsonArray(ServiceTypes.ofFamily(family.wireName())))
                      .put("regions", new JsonArray().add(region))
                      .put("baseUrl", sim.baseUrl())
                      .put(
                          "auth",
                          new JsonObject()
                              .put("type", "hmac")
                              .put("keyId", keyId)
                              .put("secret", secret))
                      .put("deadlineMs", 3000)
                      .put("maxConcurrentCalls", 50)
                      .put("healthCheckPath", "/health");
              JsonObject routes =
                  new JsonObject()
                      .put("serviceTypes", backend.getJsonArray("serviceTypes"))
                      .put("regions", backend.getJsonArray("regions"));
              return send(client, "POST", admin + "/departments", operator, department, 201, 409)
                  .compose(
                      r ->
                          send(
                              client,
                              "POST",
                              admin + "/departments/" + departmentId + "/assignments",
                              operator,
                              routes,
                              200))
                  .compose(
                      r ->
                          send(
                              client,
                              "POST",
                              admin + "/departments/" + departmentId + "/credentials",
                              operator,
                              new JsonObject(),
                              201))
                  .compose(
                      r -> {
                        String credential = "Bearer " + r.bodyAsJsonObject().getString("token");
                        String backends = admin + "/departments/" + departmentId + "/backends";
                        return send(client, "GET", backends, credential, null, 200)
                            .compose(
                                list -> {
                                  // After a restart on the same data: update the backend still in
                                  // service. One the operator
                                  // disabled stays disabled and does not stand in the way of a new
                                  // registration.
                                  JsonObject active =
                                      list.bodyAsJsonObject().getJsonArray("backends").stream()
                                          .map(JsonObject.class::cast)
                                          .filter(b -> "active".equals(b.getString("status")))
                                          .findFirst()
                                          .orElse(null);
                                  if (active == null) {
                                    return send(client, "POST", backends, credential, backend, 201);
                                  }
                                  return send(
                                      client,
                                      "PUT",
                                      backends + "/" + active.getString("id"),
                                      credential,
                                      backend,
                                      200);
                                });
                      })
                  .map(
                      r ->
                          new Started(
                              sim,
                              new JsonObject()
                                  .put("department", departmentId)
                                  .put("name", name)
                                  .put("kind", family.wireName())
                                  .put("region", region)
                                  .put("backend", r.bodyAsJsonObject().getString("id"))
                                  .put(
                                      "serviceTypes",
                                      new JsonArray(ServiceTypes.ofFamily(family.wireName())))
                                  .put("simulatorUrl", sim.baseUrl())
                                  .put("faultsUrl", sim.baseUrl() + "/__sim/faults"),
                              new SigningKey(family, region, keyId, secret, sim.baseUrl())));
            });
  }

  /**
   * The demo's id of the department of {@code family} in {@code region}, e.g. {@code hz-traffic}.
   */
  public static String departmentId(DepartmentFamily family, String region) {
    return CITY.get(region) + "-" + family.wireName();
  }

  /** The booking log of a department in the bookings directory. */
  public static java.nio.file.Path bookingLog(java.nio.file.Path bookings, String departmentId) {
    return bookings.resolve(departmentId + ".jsonl");
  }

  private static Future<HttpResponse<Buffer>> send(
      WebClient client, String method, String url, String auth, JsonObject body, int... expected) {
    var request =
        client
            .requestAbs(io.vertx.core.http.HttpMethod.valueOf(method), url)
            .putHeader("Authorization", auth);
    Future<HttpResponse<Buffer>> response =
        body == null ? request.send() : request.sendJsonObject(body);
    return response.compose(
        r -> {
          for (int status : expected) {
            if (r.statusCode() == status) {
              return Future.succeededFuture(r);
            }
          }
          return Future.failedFuture(
              new IllegalStateException(
                  "demo registration: "
                      + method
                      + " "
                      + url.replaceAll("^https?://[^/]+", "")
                      + " answered "
                      + r.statusCode()
                      + " "
                      + r.bodyAsString()));
        });
  }

  private static String randomSecret() {
    byte[] bytes = new byte[32];
    new SecureRandom().nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /** The manifest's {@code departments} entries. */
  public JsonArray manifest() {
    return manifest.copy();
  }

  /** The credential of the simulator for {@code family} in {@code region}. */
  public SigningKey signingKey(DepartmentFamily family, String region) {
    return keys.stream()
        .filter(k -> k.family() == family && k.region().equals(region))
        .findFirst()
        .orElseThrow(
            () -> new IllegalArgumentException("no demo department " + family + " in " + region));
  }

  public List<DepartmentSimulator> simulators() {
    return List.copyOf(simulators);
  }

  public Future<Void> close() {
    return Future.join(simulators.stream().map(DepartmentSimulator::close).toList())
        .eventually(
            () -> {
              client.close();
              return Future.succeededFuture();
            })
        .mapEmpty();
  }
}
