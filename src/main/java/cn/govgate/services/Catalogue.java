package cn.govgate.services;

import cn.govgate.error.ApiException;
import cn.govgate.error.ErrorCode;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The service catalogue (事项目录): the items shipped in {@code catalogue/services.json}, filtered by
 * what a region offers ({@link OfferedServices}) and by a Chinese keyword query.
 */
public final class Catalogue {
  public static final String RESOURCE = "catalogue/services.json";

  private final List<CatalogueEntry> entries;
  private final String version;
  private final OfferedServices offered;

  private Catalogue(List<CatalogueEntry> entries, String version, OfferedServices offered) {
    this.entries = List.copyOf(entries);
    this.version = version;
    this.offered = offered;
  }

  /** The shipped catalogue, read once from the class path (at start-up, not on an event loop). */
  public static Catalogue load(OfferedServices offered) {
    try (InputStream in = Catalogue.class.getClassLoader().getResourceAsStream(RESOURCE)) {
      if (in == null) throw new IllegalStateException(RESOURCE + " missing from the class path");
      JsonObject json = new JsonObject(new String(in.readAllBytes(), StandardCharsets.UTF_8));
      List<CatalogueEntry> entries =
          json.getJsonArray("services").stream()
              .map(o -> CatalogueEntry.fromJson((JsonObject) o))
              .toList();
      return new Catalogue(entries, json.getString("version"), offered);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public List<CatalogueEntry> entries() {
    return entries;
  }

  /** The entry of a service type, if the catalogue has one. */
  public Optional<CatalogueEntry> entry(String serviceType) {
    return entries.stream().filter(e -> e.serviceType().equals(serviceType)).findFirst();
  }

  /**
   * The catalogue answer for a region: the items offered there that match {@code query} (null or
   * blank: all).
   *
   * @throws ApiException 404 {@code region.unknown} (details list the known regions) for a region
   *     nobody serves
   */
  public JsonObject search(String region, String query) {
    if (!offered.knownRegions().contains(region)) throw unknownRegion(offered);
    JsonArray services = new JsonArray();
    List<CatalogueEntry> matching = new ArrayList<>();
    for (CatalogueEntry e : entries) {
      if (query == null || query.isBlank() || e.matches(query)) matching.add(e);
    }
    for (CatalogueEntry e : matching) {
      offered
          .departmentFor(e.serviceType(), region)
          .ifPresent(dept -> services.add(e.toJson(dept)));
    }
    JsonObject answer = new JsonObject().put("region", region).put("catalogueVersion", version);
    if (query != null && !query.isBlank()) answer.put("q", query.strip());
    return answer.put("services", services);
  }

  /** 404 {@code region.unknown} with {@code details.knownRegions}. */
  public static ApiException unknownRegion(OfferedServices offered) {
    return ErrorCode.REGION_UNKNOWN
        .error()
        .withDetails(
            new JsonObject()
                .put("knownRegions", new JsonArray(List.copyOf(offered.knownRegions()))));
  }
}
