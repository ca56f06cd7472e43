package cn.govgate.services;

import cn.govgate.registry.Backend;
import cn.govgate.registry.Registry;
import java.util.Optional;
import java.util.Set;

/**
 * What each region offers: the registry's route table {@code (serviceType, region) → backend}, seen
 * from the services. Answers come from memory (the route table is in-memory), so the methods are
 * synchronous.
 */
public interface OfferedServices {

  /** Every region (GB/T 2260 code) the gateway knows, sorted. */
  Set<String> knownRegions();

  /**
   * The department that serves {@code serviceType} in {@code region}, empty when it is not offered
   * there.
   */
  Optional<String> departmentFor(String serviceType, String region);

  /**
   * What the registry's current route table offers (in memory, swapped atomically on every reload).
   */
  static OfferedServices routedBy(Registry registry) {
    return new OfferedServices() {
      @Override
      public Set<String> knownRegions() {
        // The route table's own set, made once per table: this ran for every citizen request.
        return registry.routes().knownRegions();
      }

      @Override
      public Optional<String> departmentFor(String serviceType, String region) {
        Backend b = registry.routes().pick(serviceType, region);
        return Optional.ofNullable(b == null ? null : b.departmentId());
      }
    };
  }
}
