package cn.govgate.registry;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ThreadLocalRandom;

/**
 * An immutable snapshot of (service type, region) → backends. Instances swap whole tables
 * atomically, so a request sees either the old or the new registry, never half a change.
 *
 * <p>A route leads only to backends of the department the operator assigned it to: a backend
 * registered for a route of another department (before assignments existed, or once its own was
 * withdrawn) is kept by id but never picked, so weights act among one department's backends only.
 */
public final class RouteTable {

  static final RouteTable EMPTY = new RouteTable(List.of(), Map.of());

  private final Map<String, Backend> byId;
  private final Map<String, List<Backend>> routes;

  /**
   * The enabled backends of each route and their total weight, worked out once per table, not per
   * call.
   */
  private final Map<String, Enabled> enabled;

  private record Enabled(List<Backend> backends, int totalWeight) {}

  /** The regions of the enabled backends, sorted: worked out once per table, not per request. */
  private final Set<String> knownRegions;

  /**
   * @param assignedTo {@code service|region} → the department assigned to serve it
   */
  RouteTable(Collection<Backend> backends, Map<String, String> assignedTo) {
    Map<String, Backend> ids = new HashMap<>();
    Map<String, List<Backend>> table = new HashMap<>();
    for (Backend b : backends) {
      ids.put(b.id(), b);
      for (String key : b.spec().routeKeys()) {
        if (b.departmentId().equals(assignedTo.get(key))) {
          table.computeIfAbsent(key, k -> new ArrayList<>()).add(b);
        }
      }
    }
    table.replaceAll((k, v) -> List.copyOf(v));
    this.byId = Collections.unmodifiableMap(ids);
    this.routes = Collections.unmodifiableMap(table);
    Map<String, Enabled> on = new HashMap<>();
    table.forEach(
        (key, list) -> {
          List<Backend> active = list.stream().filter(Backend::enabled).toList();
          if (!active.isEmpty()) {
            on.put(
                key, new Enabled(active, active.stream().mapToInt(b -> b.spec().weight()).sum()));
          }
        });
    this.enabled = on;
    Set<String> regions = new TreeSet<>();
    for (Backend b : backends) {
      if (b.enabled()) regions.addAll(b.spec().regions());
    }
    this.knownRegions = Collections.unmodifiableSet(regions);
  }

  /** Every region an enabled backend of this table serves, sorted. */
  public Set<String> knownRegions() {
    return knownRegions;
  }

  /** Every backend of the table, enabled or not. */
  public Collection<Backend> backends() {
    return byId.values();
  }

  public Backend backend(String id) {
    return byId.get(id);
  }

  /** The backends registered for the route (enabled or disabled), empty when none. */
  public List<Backend> candidates(String serviceType, String region) {
    return routes.getOrDefault(serviceType + "|" + region, List.of());
  }

  /** One enabled backend for the route, by weight; null when none is enabled. */
  public Backend pick(String serviceType, String region) {
    Enabled on = enabled.get(serviceType + "|" + region);
    if (on == null) {
      return null;
    }
    List<Backend> list = on.backends();
    if (list.size() == 1) {
      return list.get(0);
    }
    int draw = ThreadLocalRandom.current().nextInt(on.totalWeight());
    for (Backend b : list) {
      draw -= b.spec().weight();
      if (draw < 0) {
        return b;
      }
    }
    return list.get(list.size() - 1);
  }

  /**
   * What is offered, for the {@code region.service_not_offered} details: the services offered in
   * the region and the regions offering the service.
   */
  public JsonObject offered(String serviceType, String region) {
    TreeSet<String> services = new TreeSet<>();
    TreeSet<String> regions = new TreeSet<>();
    routes.forEach(
        (key, backends) -> {
          if (backends.stream().noneMatch(Backend::enabled)) {
            return;
          }
          String[] parts = key.split("\\|");
          if (parts[1].equals(region)) {
            services.add(parts[0]);
          }
          if (parts[0].equals(serviceType)) {
            regions.add(parts[1]);
          }
        });
    return new JsonObject()
        .put("serviceType", serviceType)
        .put("region", region)
        .put("servicesInRegion", new JsonArray(new ArrayList<>(services)))
        .put("regionsOfService", new JsonArray(new ArrayList<>(regions)));
  }
}
