package cn.govgate.registry;

import static cn.govgate.registry.RegistryFixture.CHENGDU;
import static cn.govgate.registry.RegistryFixture.HANGZHOU;
import static cn.govgate.registry.RegistryFixture.citizenOf;
import static org.assertj.core.api.Assertions.assertThat;

import cn.govgate.error.ApiException;
import cn.govgate.sim.departments.DepartmentFamily;
import cn.govgate.sim.departments.DepartmentSimulator;
import cn.govgate.sim.departments.DepartmentSimulatorOptions;
import cn.govgate.sim.departments.DepartmentTls;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.math.BigInteger;
import java.net.http.HttpResponse;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A department that requires mutual TLS, registered through the admin API with {@code mtls} auth:
 * the gateway calls it end to end with its client certificate (and still signs each request), and
 * the department refuses a client certificate of another CA, or none, in the handshake. Every key
 * and certificate is generated here, at run time, with Bouncy Castle; none is written to disk.
 */
class MutualTlsDepartmentTest {

  private static final String ACCOUNT = "social-security.account";
  private static RegistryFixture fx;
  private static Pki departmentCa;
  private static Pki gatewayCa;
  private static Pki strangerCa;
  private static Issued server;
  private static Issued gatewayClient;
  private static Issued strangerClient;

  /** A CA: its key pair and self-signed certificate. */
  private record Pki(KeyPair keys, X509Certificate certificate) {}

  /** A certificate issued by a CA, with its private key. */
  private record Issued(PrivateKey key, X509Certificate certificate) {}

  @BeforeAll
  static void start() throws Exception {
    fx = RegistryFixture.start();
    departmentCa = ca("CN=Department CA (test)");
    gatewayCa = ca("CN=Gateway client CA (test)");
    strangerCa = ca("CN=Somebody else's CA (test)");
    server = issue(departmentCa, "CN=127.0.0.1", false);
    gatewayClient = issue(gatewayCa, "CN=govgate gateway", true);
    strangerClient = issue(strangerCa, "CN=govgate gateway", true);
  }

  @AfterAll
  static void stop() {
    if (fx != null) {
      fx.close();
    }
  }

  private static KeyPair ecKeys() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"));
    return generator.generateKeyPair();
  }

  private static Pki ca(String subject) throws Exception {
    KeyPair keys = ecKeys();
    X500Name name = new X500Name(subject);
    Instant now = Instant.now();
    var builder =
        new JcaX509v3CertificateBuilder(
                name,
                BigInteger.valueOf(now.toEpochMilli()),
                Date.from(now.minus(Duration.ofHours(1))),
                Date.from(now.plus(Duration.ofDays(1))),
                name,
                keys.getPublic())
            .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
            .addExtension(
                Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
    return new Pki(
        keys,
        new JcaX509CertificateConverter()
            .getCertificate(
                builder.build(
                    new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate()))));
  }

  private static Issued issue(Pki ca, String subject, boolean client) throws Exception {
    KeyPair keys = ecKeys();
    Instant now = Instant.now();
    var builder =
        new JcaX509v3CertificateBuilder(
                ca.certificate(),
                BigInteger.valueOf(System.nanoTime()),
                Date.from(now.minus(Duration.ofHours(1))),
                Date.from(now.plus(Duration.ofDays(1))),
                new X500Name(subject),
                keys.getPublic())
            .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
            .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
    if (!client) {
      builder.addExtension(
          Extension.subjectAlternativeName,
          false,
          new GeneralNames(new GeneralName(GeneralName.iPAddress, "127.0.0.1")));
    }
    return new Issued(
        keys.getPrivate(),
        new JcaX509CertificateConverter()
            .getCertificate(
                builder.build(
                    new JcaContentSignerBuilder("SHA256withECDSA").build(ca.keys().getPrivate()))));
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN "
        + type
        + "-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der)
        + "\n-----END "
        + type
        + "-----\n";
  }

  private static String pem(X509Certificate certificate) throws Exception {
    return pem("CERTIFICATE", certificate.getEncoded());
  }

  private static String pem(PrivateKey key) {
    return pem("PRIVATE KEY", key.getEncoded());
  }

  private static DepartmentSimulator mtlsSimulator(String region, String keyId, String secret)
      throws Exception {
    DepartmentTls tls =
        new DepartmentTls(
            pem(server.certificate()), pem(server.key()), pem(gatewayCa.certificate()));
    return RegistryFixture.await(
        DepartmentSimulator.start(
            fx.simulatorVertx,
            DepartmentSimulatorOptions.create(
                    DepartmentFamily.SOCIAL_SECURITY,
                    region,
                    keyId,
                    secret,
                    RegistryFixture.CITIZENS)
                .withClock(fx.clock),
            tls));
  }

  private static JsonObject mtlsBody(
      DepartmentSimulator sim, String keyId, String secret, Issued client) throws Exception {
    return RegistryFixture.backendBody(sim, keyId, secret, ACCOUNT)
        .put(
            "auth",
            new JsonObject()
                .put("type", "mtls")
                .put("keyId", keyId)
                .put("secret", secret)
                .put("certificatePem", pem(client.certificate()))
                .put("privateKeyPem", pem(client.key()))
                .put("trustedCaPem", pem(departmentCa.certificate())));
  }

  @Test
  void theGatewayCallsAnMtlsDepartmentWithItsClientCertificate() throws Exception {
    JsonObject d = fx.department("social-security");
    DepartmentSimulator sim = mtlsSimulator(HANGZHOU, "k-mtls", "secret-of-the-mtls-department");
    assertThat(sim.baseUrl()).startsWith("https://");
    JsonObject body = mtlsBody(sim, "k-mtls", "secret-of-the-mtls-department", gatewayClient);

    Backend backend = fx.register(d, body);
    HttpResponse<String> shown =
        fx.admin(
            "GET",
            "/departments/" + d.getString("id") + "/backends/" + backend.id(),
            d.getString("auth"),
            null);
    assertThat(shown.body()).doesNotContain("PRIVATE KEY");

    DepartmentAnswer answer =
        RegistryFixture.await(fx.call(ACCOUNT, HANGZHOU, citizenOf(HANGZHOU), true));
    assertThat(answer.stale()).isFalse();
    assertThat(answer.backend()).isEqualTo(backend.id());
    assertThat(answer.data().isEmpty()).isFalse();
    assertThat(sim.requestCount()).isPositive();
    fx.deregisterAll();
  }

  @Test
  void aClientCertificateOfAnotherCaIsRefusedInTheHandshake() throws Exception {
    JsonObject d = fx.department("social-security");
    DepartmentSimulator sim = mtlsSimulator(CHENGDU, "k-mtls2", "secret-of-the-other-mtls-dept");
    fx.assign(d, mtlsBody(sim, "k-mtls2", "secret-of-the-other-mtls-dept", strangerClient));
    HttpResponse<String> created =
        fx.admin(
            "POST",
            "/departments/" + d.getString("id") + "/backends",
            d.getString("auth"),
            mtlsBody(sim, "k-mtls2", "secret-of-the-other-mtls-dept", strangerClient));
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    String backendId = new JsonObject(created.body()).getString("id");
    fx.registeredElsewhere(d, backendId);
    RegistryFixture.awaitBackend(fx.gateway, backendId, 1);

    long before = sim.requestCount();
    ApiException refused = fx.failure(ACCOUNT, CHENGDU, citizenOf(CHENGDU));
    // Under TLS 1.3 the client may finish its half of the handshake before the server's refusal
    // arrives: the call
    // then fails as a broken connection or runs into its deadline. Either way nothing reached the
    // department.
    assertThat(refused.code())
        .isIn("department.unavailable", "department.connection_failed", "department.timeout");
    assertThat(sim.requestCount()).as("no request passed the handshake").isEqualTo(before);

    // Nor does a client without any certificate get through, even one that trusts the department.
    WebClient anonymous =
        WebClient.create(
            fx.simulatorVertx,
            new WebClientOptions()
                .setSsl(true)
                .setTrustOptions(
                    new PemTrustOptions()
                        .addCertValue(Buffer.buffer(pem(departmentCa.certificate())))));
    Throwable failure =
        anonymous
            .getAbs(sim.baseUrl() + "/health")
            .send()
            .toCompletionStage()
            .toCompletableFuture()
            .handle((r, e) -> e)
            .get(30, TimeUnit.SECONDS);
    assertThat(failure).as("handshake without a client certificate").isNotNull();
    anonymous.close();
    assertThat(sim.requestCount()).isEqualTo(before);
    fx.deregisterAll();
  }

  @Test
  void anMtlsRegistrationNeedsHttpsAndACertificateWithItsKey() throws Exception {
    JsonObject d = fx.department("social-security");
    JsonObject body =
        new JsonObject()
            .put("serviceTypes", new JsonArray(List.of(ACCOUNT)))
            .put("regions", new JsonArray().add(HANGZHOU))
            .put("baseUrl", "http://127.0.0.1:9/dept")
            .put(
                "auth",
                new JsonObject()
                    .put("type", "mtls")
                    .put("certificatePem", pem(gatewayClient.certificate())));
    fx.assign(d, body);
    HttpResponse<String> refused =
        fx.admin(
            "POST", "/departments/" + d.getString("id") + "/backends", d.getString("auth"), body);
    assertThat(refused.statusCode()).isEqualTo(400);
    assertThat(
            new JsonObject(refused.body())
                .getJsonObject("details")
                .getJsonObject("fields")
                .fieldNames())
        .contains("baseUrl", "auth.privateKeyPem");
    fx.deregisterAll();
  }
}
