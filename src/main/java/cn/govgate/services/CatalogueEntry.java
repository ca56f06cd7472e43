package cn.govgate.services;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.text.Normalizer;
import java.util.List;
import java.util.Locale;

/**
 * One service item (事项) of the catalogue.
 *
 * @param serviceType the service type of the department contract, e.g. {@code traffic.fines}
 * @param name item name (事项名称)
 * @param theme 社保, 公积金, 交通 or 生活缴费
 * @param departmentName the kind of department that implements it (实施主体)
 * @param minLevel minimum assurance level: {@code L1}, {@code L2} or {@code L3}
 * @param onlineDepth 网办深度, e.g. 全程网办, 一次办
 * @param basicCode basic code (基本编码), opaque
 * @param implementationCode implementation code (实施编码), opaque
 * @param keywords search words besides the name and theme
 * @param guide the service guide (办事指南): {@code materials}, {@code legalBasis}, {@code fees},
 *     {@code timeLimit}
 */
public record CatalogueEntry(
    String serviceType,
    String name,
    String theme,
    String departmentName,
    String minLevel,
    String onlineDepth,
    String basicCode,
    String implementationCode,
    List<String> keywords,
    JsonObject guide) {

  static CatalogueEntry fromJson(JsonObject j) {
    List<String> keywords =
        j.getJsonArray("keywords", new JsonArray()).stream().map(String::valueOf).toList();
    return new CatalogueEntry(
        j.getString("serviceType"),
        j.getString("name"),
        j.getString("theme"),
        j.getString("departmentName"),
        j.getString("minLevel"),
        j.getString("onlineDepth"),
        j.getString("basicCode"),
        j.getString("implementationCode"),
        keywords,
        j.getJsonObject("guide").copy());
  }

  /**
   * Whether every whitespace-separated term of {@code query} occurs in the name, theme or keywords.
   */
  boolean matches(String query) {
    String haystack =
        normalize(name + "\n" + theme + "\n" + String.join("\n", keywords) + "\n" + departmentName);
    for (String term : normalize(query).split("\\s+")) {
      if (!term.isEmpty() && !haystack.contains(term)) return false;
    }
    return true;
  }

  /**
   * Full-width letters and digits fold to ASCII, Latin letters to lower case; Chinese stays as it
   * is.
   */
  static String normalize(String s) {
    return Normalizer.normalize(s, Normalizer.Form.NFKC).toLowerCase(Locale.ROOT).strip();
  }

  JsonObject toJson(String departmentId) {
    return new JsonObject()
        .put("serviceType", serviceType)
        .put("name", name)
        .put("theme", theme)
        .put("department", new JsonObject().put("id", departmentId).put("name", departmentName))
        .put("minLevel", minLevel)
        .put("onlineDepth", onlineDepth)
        .put("basicCode", basicCode)
        .put("implementationCode", implementationCode)
        .put("keywords", new JsonArray(keywords))
        .put("guide", guide.copy());
  }
}
