package cn.govgate.http;

import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * What each concern contributes to each surface. The composition root collects contributions once;
 * every server verticle then builds its own routers from them (routers and per-verticle clients are
 * not shared between event loops).
 */
public final class Routes {
  private final Map<Surface, List<BiConsumer<Vertx, Router>>> contributions =
      new EnumMap<>(Surface.class);

  /**
   * Adds routes to a surface; {@code contributor} is called once per server verticle with a fresh
   * router.
   */
  public Routes add(Surface surface, BiConsumer<Vertx, Router> contributor) {
    contributions.computeIfAbsent(surface, s -> new ArrayList<>()).add(contributor);
    return this;
  }

  List<BiConsumer<Vertx, Router>> of(Surface surface) {
    return contributions.getOrDefault(surface, List.of());
  }
}
