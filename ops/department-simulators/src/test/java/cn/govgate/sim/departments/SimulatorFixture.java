package cn.govgate.sim.departments;

import cn.govgate.sim.citizens.SyntheticCitizen;
import cn.govgate.sim.citizens.SyntheticCitizens;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.validation.ResponseValidator;
import io.vertx.openapi.validation.ValidatableResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Starts simulators, signs requests like the gateway will, and checks answers against the contract.
 */
final class SimulatorFixture {

  static final String REGION = SyntheticCitizens.HANGZHOU;
  static final String KEY_ID = "gateway-key-1";
  static final String SECRET = "simulator-test-secret";
  static final Clock CLOCK = Clock.fixed(Instant.parse("2025-06-15T02:00:00Z"), ZoneOffset.UTC);
  static final List<SyntheticCitizen> CITIZENS = SyntheticCitizens.generate(400, 2025L);

  final Vertx vertx;
  final WebClient client;
  private Future<OpenAPIContract> contract;

  SimulatorFixture(Vertx vertx) {
    this.vertx = vertx;
    this.client = WebClient.create(vertx, new WebClientOptions().setKeepAlive(false));
  }

  static List<SyntheticCitizen> hangzhouCitizens() {
    return CITIZENS.stream().filter(c -> c.homeRegion().equals(REGION)).toList();
  }

  DepartmentSimulator start(DepartmentFamily family) {
    return await(
        DepartmentSimulator.start(
            vertx,
            new DepartmentSimulatorOptions(family, REGION, KEY_ID, SECRET, 0, CITIZENS, CLOCK)));
  }

  /** A request body as the gateway sends it. */
  static JsonObject body(String serviceType, SyntheticCitizen citizen, JsonObject query) {
    JsonObject body = new JsonObject().put("serviceType", serviceType).put("region", REGION);
    if (citizen != null) {
      body.put(
          "citizen",
          new JsonObject().put("idNumber", citizen.idNumber()).put("name", citizen.name()));
    }
    return body.put("query", query);
  }

  HttpResponse<Buffer> post(DepartmentSimulator simulator, String path, JsonObject body) {
    return post(simulator, path, body, CLOCK, SECRET);
  }

  HttpResponse<Buffer> post(
      DepartmentSimulator simulator,
      String path,
      JsonObject body,
      Clock signingClock,
      String secret) {
    return await(postAsync(simulator, path, body, signingClock, secret));
  }

  Future<HttpResponse<Buffer>> postAsync(
      DepartmentSimulator simulator,
      String path,
      JsonObject body,
      Clock signingClock,
      String secret) {
    Buffer bytes = body.toBuffer();
    MultiMap headers =
        RequestSignatures.sign(
            "POST",
            path,
            bytes,
            signingClock.millis() / 1000,
            KEY_ID,
            secret,
            UUID.randomUUID().toString());
    return client
        .postAbs(simulator.baseUrl() + path)
        .putHeaders(headers)
        .putHeader("content-type", "application/json")
        .sendBuffer(bytes);
  }

  /**
   * Validates a response against contracts/department-backend.yaml; the Future fails when it does
   * not conform.
   */
  Future<Void> conforms(String operationId, HttpResponse<Buffer> response) {
    Map<String, String> headers = new HashMap<>();
    response.headers().forEach(e -> headers.put(e.getKey(), e.getValue()));
    // vertx-openapi matches the media type literally, so drop parameters such as "; charset=utf-8".
    String contentType = response.getHeader("content-type");
    String mediaType = contentType == null ? null : contentType.split(";")[0].trim();
    ValidatableResponse validatable =
        ValidatableResponse.create(
            response.statusCode(),
            headers,
            response.body() == null ? Buffer.buffer() : response.body(),
            mediaType);
    return contract()
        .compose(
            contract ->
                ResponseValidator.create(vertx, contract).validate(validatable, operationId))
        .mapEmpty();
  }

  Future<OpenAPIContract> contract() {
    if (contract == null) {
      contract = loadContract();
    }
    return contract;
  }

  private Future<OpenAPIContract> loadContract() {
    Path onDisk = Path.of("..", "contracts", "department-backend.yaml");
    String location =
        Files.exists(onDisk) ? onDisk.toString() : "contracts/department-backend.yaml";
    return OpenAPIContract.from(vertx, location);
  }

  /** The failure of a future that is expected to fail, or null when it succeeded. */
  static Throwable failureOf(Future<?> future) {
    return await(future.map(result -> (Throwable) null).otherwise(failure -> failure));
  }

  static <T> T await(Future<T> future) {
    try {
      return future.await(20, TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new AssertionError("timed out", e);
    }
  }
}
