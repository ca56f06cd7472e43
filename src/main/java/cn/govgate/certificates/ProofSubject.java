package cn.govgate.certificates;

import io.vertx.core.json.JsonObject;

/**
 * What the department and the citizen directory say about the holder of a proof about to be issued.
 *
 * @param holderName the citizen's full name (from the citizen directory)
 * @param holderIdNumber the citizen's ID number (from the citizen directory)
 * @param departmentName the issuing department's display name
 * @param data the department's proof data ({@code HousingFundProofData} of the department contract)
 */
public record ProofSubject(
    String holderName, String holderIdNumber, String departmentName, JsonObject data) {

  @Override
  public String toString() {
    return "ProofSubject[departmentName=" + departmentName + "]";
  }
}
