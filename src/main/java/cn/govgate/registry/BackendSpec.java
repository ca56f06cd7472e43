package cn.govgate.registry;

import cn.govgate.error.ApiException;
import cn.govgate.resilience.GuardConfig;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The settings of one department backend as registered through the admin API, validated field by
 * field.
 *
 * <p>Wire form (request and, without secrets, response):
 *
 * <pre>{@code {"serviceTypes": ["traffic.fines"], "regions": ["330100"], "baseUrl": "https://...",
 *  "auth": {"type": "hmac", "keyId": "...", "secret": "..."}, "deadlineMs": 3000, "maxConcurrentCalls": 50,
 *  "breaker": {"failureRateThreshold": 50, "slowCallRateThreshold": 80, "slowCallDurationMs": 2400,
 *              "slidingWindowSize": 20, "minimumNumberOfCalls": 10, "waitDurationInOpenStateMs": 10000,
 *              "permittedCallsInHalfOpenState": 3},
 *  "healthCheckPath": "/health", "weight": 100}}</pre>
 *
 * @param serviceTypes the service types it serves (of its department's family), no duplicates
 * @param regions the GB/T 2260 codes it serves, no duplicates
 * @param baseUrl http(s) URL without query or fragment; contract paths are appended
 * @param auth how calls are authenticated; secrets are kept apart in {@link Secrets}
 * @param guard deadline, breaker thresholds and maximum concurrency
 * @param healthCheckPath path of the active health check, below the base URL
 * @param weight share of traffic when several backends serve one (service, region)
 * @param weightExplicit whether the registrant set the weight (required to share a route)
 */
public record BackendSpec(
    List<String> serviceTypes,
    List<String> regions,
    String baseUrl,
    Auth auth,
    GuardConfig guard,
    String healthCheckPath,
    int weight,
    boolean weightExplicit) {

  public static final int DEFAULT_WEIGHT = 100;
  public static final int MAX_WEIGHT = 10_000;

  /**
   * Authentication of gateway→department calls ({@code contracts/department-backend.yaml}): HMAC
   * request signatures, or mutual TLS (the signature headers are then still sent when a key id and
   * secret are configured).
   *
   * @param type {@code hmac} or {@code mtls}
   * @param keyId the key id the department issued; null only for mtls without signatures
   * @param certificatePem the gateway's client certificate chain for mtls, null for hmac
   * @param trustedCaPem the CA that signs the department's server certificate for mtls, null for
   *     the JVM default
   */
  public record Auth(String type, String keyId, String certificatePem, String trustedCaPem) {}

  /**
   * The secret parts of a registration, stored encrypted. {@code hmacSecret} and {@code
   * privateKeyPem} may be null.
   */
  public record Secrets(String hmacSecret, String privateKeyPem) {

    JsonObject toJson() {
      return new JsonObject().put("hmacSecret", hmacSecret).put("privateKeyPem", privateKeyPem);
    }

    static Secrets fromJson(JsonObject json) {
      return new Secrets(json.getString("hmacSecret"), json.getString("privateKeyPem"));
    }
  }

  /** A validated registration: the spec and its secrets. */
  public record Parsed(BackendSpec spec, Secrets secrets, String replaces) {}

  public BackendSpec {
    serviceTypes = List.copyOf(serviceTypes);
    regions = List.copyOf(regions);
    Objects.requireNonNull(baseUrl, "baseUrl");
    Objects.requireNonNull(auth, "auth");
    Objects.requireNonNull(guard, "guard");
  }

  /**
   * Validates a registration or update body. On update, {@code previous} supplies the secrets that
   * the body omits (a secret is shown to the gateway once and need not be repeated).
   *
   * @param family the department's kind: only its service types may be registered
   * @throws ApiException 400 {@code request.invalid} with every field error in {@code
   *     details.fields}
   */
  public static Parsed parse(JsonObject body, String family, Secrets previous) {
    JsonObject errors = new JsonObject();
    if (body == null) {
      throw ApiException.invalidFields(new JsonObject().put("body", "must be a JSON object"));
    }
    List<String> services = serviceTypes(body, family, errors);
    List<String> regions = regions(body, errors);
    String baseUrl = body.getValue("baseUrl") instanceof String s ? s : null;
    String urlError = urlError(baseUrl);
    if (urlError != null) {
      errors.put("baseUrl", urlError);
    } else {
      baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    }
    Auth auth = null;
    Secrets secrets = null;
    if (!(body.getValue("auth") instanceof JsonObject authJson)) {
      errors.put(
          "auth",
          "required: {type: hmac, keyId, secret} or {type: mtls, certificatePem, privateKeyPem}");
    } else {
      String type = authJson.getValue("type") instanceof String s ? s : null;
      String keyId = optionalString(authJson, "auth.keyId", errors);
      String secret = optionalString(authJson, "auth.secret", errors);
      String keepSecret = previous == null ? null : previous.hmacSecret();
      String hmacSecret = secret != null ? secret : keepSecret;
      if (keyId != null && !keyId.matches("[A-Za-z0-9._-]{1,64}")) {
        errors.put("auth.keyId", "1-64 characters of letters, digits, '.', '_' or '-'");
      }
      if (secret != null && secret.length() < 16) {
        errors.put("auth.secret", "must be at least 16 characters");
      }
      if ("hmac".equals(type)) {
        if (keyId == null) {
          errors.put("auth.keyId", "required");
        }
        if (hmacSecret == null && !errors.containsKey("auth.secret")) {
          errors.put("auth.secret", "required");
        }
        auth = new Auth("hmac", keyId, null, null);
        secrets = new Secrets(hmacSecret, null);
      } else if ("mtls".equals(type)) {
        String cert = optionalString(authJson, "auth.certificatePem", errors);
        String key = optionalString(authJson, "auth.privateKeyPem", errors);
        String ca = optionalString(authJson, "auth.trustedCaPem", errors);
        String privateKey = key != null ? key : previous == null ? null : previous.privateKeyPem();
        if (cert == null || !cert.contains("-----BEGIN CERTIFICATE-----")) {
          errors.put("auth.certificatePem", "required: a PEM certificate chain");
        }
        if (privateKey == null || !privateKey.contains("PRIVATE KEY-----")) {
          errors.put("auth.privateKeyPem", "required: a PEM private key");
        }
        if (ca != null && !ca.contains("-----BEGIN CERTIFICATE-----")) {
          errors.put("auth.trustedCaPem", "must be a PEM certificate");
        }
        if ((keyId == null) != (hmacSecret == null)) {
          errors.put("auth.keyId", "keyId and secret go together");
        }
        if (baseUrl != null && !errors.containsKey("baseUrl") && !baseUrl.startsWith("https://")) {
          errors.put("baseUrl", "mutual TLS needs an https URL");
        }
        auth = new Auth("mtls", keyId, cert, ca);
        secrets = new Secrets(hmacSecret, privateKey);
      } else {
        errors.put("auth.type", "must be hmac or mtls");
      }
    }
    long deadlineMs =
        longField(body, "deadlineMs", GuardConfig.DEFAULT_DEADLINE.toMillis(), errors);
    Duration deadline = Duration.ofMillis(deadlineMs);
    GuardConfig defaults = GuardConfig.withDeadline(deadline);
    JsonObject breaker = body.getValue("breaker") instanceof JsonObject b ? b : new JsonObject();
    if (body.containsKey("breaker") && !(body.getValue("breaker") instanceof JsonObject)) {
      errors.put("breaker", "must be an object");
    }
    GuardConfig guard =
        new GuardConfig(
            deadline,
            (int)
                longField(
                    breaker,
                    "failureRateThreshold",
                    defaults.failureRateThreshold(),
                    errors,
                    "breaker."),
            (int)
                longField(
                    breaker,
                    "slowCallRateThreshold",
                    defaults.slowCallRateThreshold(),
                    errors,
                    "breaker."),
            Duration.ofMillis(
                longField(
                    breaker,
                    "slowCallDurationMs",
                    defaults.slowCallDuration().toMillis(),
                    errors,
                    "breaker.")),
            (int)
                longField(
                    breaker, "slidingWindowSize", defaults.slidingWindowSize(), errors, "breaker."),
            (int)
                longField(
                    breaker,
                    "minimumNumberOfCalls",
                    defaults.minimumNumberOfCalls(),
                    errors,
                    "breaker."),
            Duration.ofMillis(
                longField(
                    breaker,
                    "waitDurationInOpenStateMs",
                    defaults.waitDurationInOpenState().toMillis(),
                    errors,
                    "breaker.")),
            (int)
                longField(
                    breaker,
                    "permittedCallsInHalfOpenState",
                    defaults.permittedCallsInHalfOpenState(),
                    errors,
                    "breaker."),
            (int) longField(body, "maxConcurrentCalls", defaults.maxConcurrentCalls(), errors));
    for (Map.Entry<String, String> e : guard.validate().entrySet()) {
      String field =
          switch (e.getKey()) {
            case "deadline" -> "deadlineMs";
            case "maxConcurrentCalls" -> "maxConcurrentCalls";
            case "slowCallDuration" -> "breaker.slowCallDurationMs";
            case "waitDurationInOpenState" -> "breaker.waitDurationInOpenStateMs";
            default -> "breaker." + e.getKey();
          };
      errors.put(field, errors.containsKey(field) ? errors.getString(field) : e.getValue());
    }
    String healthPath = body.getValue("healthCheckPath", "/health") instanceof String s ? s : null;
    if (healthPath == null || !healthPath.matches("/[A-Za-z0-9._~/-]{0,200}")) {
      errors.put("healthCheckPath", "must be a path starting with '/'");
    }
    boolean weightGiven = body.getValue("weight") != null;
    long weight = longField(body, "weight", DEFAULT_WEIGHT, errors);
    if (weightGiven && !errors.containsKey("weight") && (weight < 1 || weight > MAX_WEIGHT)) {
      errors.put("weight", "must be between 1 and " + MAX_WEIGHT);
    }
    String replaces = null;
    if (body.getValue("replaces") != null) {
      if (body.getValue("replaces") instanceof String s && !s.isBlank()) {
        replaces = s;
      } else {
        errors.put("replaces", "must be a backend id");
      }
    }
    if (!errors.isEmpty()) {
      throw ApiException.invalidFields(errors);
    }
    BackendSpec spec =
        new BackendSpec(
            services, regions, baseUrl, auth, guard, healthPath, (int) weight, weightGiven);
    return new Parsed(spec, secrets, replaces);
  }

  /** {@code serviceTypes}: a non-empty list of known service types of the department's family. */
  static List<String> serviceTypes(JsonObject body, String family, JsonObject errors) {
    List<String> services = stringList(body, "serviceTypes", errors);
    for (int i = 0; i < services.size(); i++) {
      String name = services.get(i);
      var type = ServiceTypes.find(name);
      if (type.isEmpty()) {
        errors.put(
            "serviceTypes[" + i + "]",
            "unknown service type; one of " + String.join(", ", ServiceTypes.names()));
      } else if (!type.get().family().equals(family)) {
        errors.put("serviceTypes[" + i + "]", "not offered by a " + family + " department");
      }
    }
    return services;
  }

  /** {@code regions}: a non-empty list of known GB/T 2260 codes. */
  static List<String> regions(JsonObject body, JsonObject errors) {
    List<String> regions = stringList(body, "regions", errors);
    for (int i = 0; i < regions.size(); i++) {
      if (!Regions.known(regions.get(i))) {
        errors.put("regions[" + i + "]", "not a known GB/T 2260 region code");
      }
    }
    return regions;
  }

  private static List<String> stringList(JsonObject body, String field, JsonObject errors) {
    if (!(body.getValue(field) instanceof JsonArray array) || array.isEmpty()) {
      errors.put(field, "required: a non-empty array of strings");
      return List.of();
    }
    LinkedHashSet<String> values = new LinkedHashSet<>();
    for (int i = 0; i < array.size(); i++) {
      if (!(array.getValue(i) instanceof String s)) {
        errors.put(field + "[" + i + "]", "must be a string");
      } else if (!values.add(s)) {
        errors.put(field + "[" + i + "]", "duplicate");
      }
    }
    if (array.size() > 100) {
      errors.put(field, "at most 100 entries");
    }
    return new ArrayList<>(values);
  }

  private static String optionalString(JsonObject json, String field, JsonObject errors) {
    String key = field.substring(field.lastIndexOf('.') + 1);
    Object value = json.getValue(key);
    if (value == null) {
      return null;
    }
    if (!(value instanceof String s) || s.isBlank()) {
      errors.put(field, "must be a non-empty string");
      return null;
    }
    return s;
  }

  private static long longField(JsonObject json, String field, long def, JsonObject errors) {
    return longField(json, field, def, errors, "");
  }

  private static long longField(
      JsonObject json, String field, long def, JsonObject errors, String prefix) {
    Object value = json.getValue(field);
    if (value == null) {
      return def;
    }
    if (value instanceof Number n
        && n.doubleValue() == Math.rint(n.doubleValue())
        && Math.abs(n.doubleValue()) < 1e12) {
      return n.longValue();
    }
    errors.put(prefix + field, "must be an integer");
    return def;
  }

  static String urlError(String url) {
    if (url == null || url.isBlank()) {
      return "required: an http or https URL";
    }
    try {
      URI uri = new URI(url);
      if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
        return "must be an http or https URL";
      }
      if (uri.getHost() == null || uri.getHost().isBlank()) {
        return "must name a host";
      }
      if (uri.getRawQuery() != null
          || uri.getRawFragment() != null
          || uri.getRawUserInfo() != null) {
        return "must not have a query, fragment or user info";
      }
      if (url.length() > 500) {
        return "too long";
      }
      return null;
    } catch (URISyntaxException e) {
      return "not a valid URL";
    }
  }

  /** The routes this backend serves, as {@code service|region} keys. */
  public List<String> routeKeys() {
    List<String> keys = new ArrayList<>();
    for (String service : serviceTypes) {
      for (String region : regions) {
        keys.add(service + "|" + region);
      }
    }
    return keys;
  }

  /** The stored and shown form: no secrets. */
  public JsonObject toJson() {
    JsonObject authJson = new JsonObject().put("type", auth.type());
    if (auth.keyId() != null) {
      authJson.put("keyId", auth.keyId());
    }
    if (auth.certificatePem() != null) {
      authJson.put("certificatePem", auth.certificatePem());
    }
    if (auth.trustedCaPem() != null) {
      authJson.put("trustedCaPem", auth.trustedCaPem());
    }
    return new JsonObject()
        .put("serviceTypes", new JsonArray(serviceTypes))
        .put("regions", new JsonArray(regions))
        .put("baseUrl", baseUrl)
        .put("auth", authJson)
        .put("deadlineMs", guard.deadline().toMillis())
        .put("maxConcurrentCalls", guard.maxConcurrentCalls())
        .put(
            "breaker",
            new JsonObject()
                .put("failureRateThreshold", guard.failureRateThreshold())
                .put("slowCallRateThreshold", guard.slowCallRateThreshold())
                .put("slowCallDurationMs", guard.slowCallDuration().toMillis())
                .put("slidingWindowSize", guard.slidingWindowSize())
                .put("minimumNumberOfCalls", guard.minimumNumberOfCalls())
                .put("waitDurationInOpenStateMs", guard.waitDurationInOpenState().toMillis())
                .put("permittedCallsInHalfOpenState", guard.permittedCallsInHalfOpenState()))
        .put("healthCheckPath", healthCheckPath)
        .put("weight", weight)
        .put("weightExplicit", weightExplicit);
  }

  /** Reads the stored form back (already validated when it was stored). */
  public static BackendSpec fromJson(JsonObject json) {
    JsonObject a = json.getJsonObject("auth");
    JsonObject b = json.getJsonObject("breaker");
    GuardConfig guard =
        new GuardConfig(
            Duration.ofMillis(json.getLong("deadlineMs")),
            b.getInteger("failureRateThreshold"),
            b.getInteger("slowCallRateThreshold"),
            Duration.ofMillis(b.getLong("slowCallDurationMs")),
            b.getInteger("slidingWindowSize"),
            b.getInteger("minimumNumberOfCalls"),
            Duration.ofMillis(b.getLong("waitDurationInOpenStateMs")),
            b.getInteger("permittedCallsInHalfOpenState"),
            json.getInteger("maxConcurrentCalls"));
    return new BackendSpec(
        json.getJsonArray("serviceTypes").stream().map(String.class::cast).toList(),
        json.getJsonArray("regions").stream().map(String.class::cast).toList(),
        json.getString("baseUrl"),
        new Auth(
            a.getString("type"),
            a.getString("keyId"),
            a.getString("certificatePem"),
            a.getString("trustedCaPem")),
        guard,
        json.getString("healthCheckPath"),
        json.getInteger("weight"),
        json.getBoolean("weightExplicit", false));
  }
}
