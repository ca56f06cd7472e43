package cn.govgate.certificates;

import cn.govgate.demo.SyntheticCitizen;
import cn.govgate.http.ApiException;
import cn.govgate.registry.DepartmentAuth;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import java.time.Clock;
import java.util.Map;

/**
 * The proof source the gateway will have once identity and the registry land, built for tests from what exists:
 * a citizen directory (citizen key → synthetic citizen) and a real, signed call to a department simulator's
 * {@code /housing-fund/proof-data}.
 */
final class DepartmentProofSource implements HousingFundProofSource {
  static final String KEY_ID = "gateway-test-key";
  static final String SECRET = "department-test-secret";

  private final WebClient client;
  private final String baseUrl;
  private final Map<String, SyntheticCitizen> directory;

  DepartmentProofSource(WebClient client, String baseUrl, Map<String, SyntheticCitizen> directory) {
    this.client = client;
    this.baseUrl = baseUrl;
    this.directory = directory;
  }

  @Override
  public Future<ProofSubject> load(cn.govgate.services.Caller caller, String region, String departmentId,
      String requestId) {
    SyntheticCitizen citizen = directory.get(caller.citizenKey());
    if (citizen == null) return Future.failedFuture(ApiException.notFound("citizen.unknown", "not in directory"));
    Buffer body = new JsonObject().put("serviceType", "housing-fund.proof-data").put("region", region)
        .put("citizen", new JsonObject().put("idNumber", citizen.idNumber()).put("name", citizen.name()))
        .put("query", new JsonObject()).toBuffer();
    String path = "/housing-fund/proof-data";
    MultiMap headers = DepartmentAuth.sign("POST", path, body, Clock.systemUTC(), KEY_ID, SECRET, requestId)
        .addTo(MultiMap.caseInsensitiveMultiMap()).add("Content-Type", "application/json");
    return client.postAbs(baseUrl + path).putHeaders(headers).sendBuffer(body).compose(response ->
        response.statusCode() == 200
            ? Future.succeededFuture(new ProofSubject(citizen.name(), citizen.idNumber(), "杭州住房公积金管理中心",
                response.bodyAsJsonObject()))
            : Future.failedFuture(ApiException.departmentBadResponse(departmentId, "status " + response.statusCode())));
  }
}
