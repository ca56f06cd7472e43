package cn.govgate.services;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What each region offers: the registry's route table {@code (serviceType, region) → backend}, seen from the
 * services. Answers come from memory (the route table is in-memory), so the methods are synchronous.
 */
public interface OfferedServices {

  /** Every region (GB/T 2260 code) the gateway knows, sorted. */
  Set<String> knownRegions();

  /** The department that serves {@code serviceType} in {@code region}, empty when it is not offered there. */
  Optional<String> departmentFor(String serviceType, String region);

  /**
   * A fixed table: region → (service type → department id). For tests and for a gateway without a registry.
   */
  static OfferedServices fixed(Map<String, Map<String, String>> table) {
    Map<String, Map<String, String>> copy = new TreeMap<>();
    table.forEach((region, services) -> copy.put(region, Map.copyOf(services)));
    Set<String> regions = new TreeSet<>(copy.keySet());
    return new OfferedServices() {
      @Override
      public Set<String> knownRegions() {
        return regions;
      }

      @Override
      public Optional<String> departmentFor(String serviceType, String region) {
        return Optional.ofNullable(copy.getOrDefault(region, Map.of()).get(serviceType));
      }
    };
  }
}
