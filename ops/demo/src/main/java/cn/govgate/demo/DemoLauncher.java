package cn.govgate.demo;

import cn.govgate.config.ConfigException;
import cn.govgate.config.ConfigValues;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import sun.misc.Signal;

/**
 * {@code java -jar ops/demo/target/govgate-demo.jar [--config FILE]}: starts the {@link Demo} and
 * stops it gracefully on SIGTERM/SIGINT. Configuration as the gateway's (file, then {@code
 * GOVGATE_*} environment variables) plus the demo's own keys ({@code demo.citizens}, {@code
 * demo.simulatorPorts}, {@code demo.postgresPort}). A configuration error prints one line and exits
 * with 2; a start-up failure prints one line and exits with 1.
 */
public final class DemoLauncher {
  static final int EXIT_CONFIG = 2;
  static final int EXIT_STARTUP = 1;

  private DemoLauncher() {}

  public static void main(String[] args) {
    int code = run(args, System.getenv(), System.err);
    if (code != 0) System.exit(code);
  }

  static int run(String[] args, Map<String, String> env, PrintStream err) {
    ConfigValues values;
    try {
      values = ConfigValues.load(configFile(args, env), env);
    } catch (ConfigException e) {
      err.println("govgate demo: configuration error: " + e.getMessage());
      return EXIT_CONFIG;
    }
    Demo demo;
    try {
      demo = Demo.start(values).await(10, TimeUnit.MINUTES);
    } catch (ConfigException e) {
      err.println("govgate demo: configuration error: " + e.getMessage());
      return EXIT_CONFIG;
    } catch (Exception e) {
      err.println("govgate demo: start-up failed: " + reason(e));
      return EXIT_STARTUP;
    }
    // SIGTERM/SIGINT stop the demo in order (gateway drained and its audit and interaction batches
    // written, then
    // PostgreSQL) before the JVM exits. Shutdown hooks alone would race: the database library stops
    // PostgreSQL
    // from a hook of its own, which would run while the gateway still drains.
    Runnable stopThenExit =
        () -> {
          stop(demo, err);
          System.exit(0);
        };
    for (String signal : List.of("TERM", "INT")) {
      try {
        Signal.handle(new Signal(signal), s -> new Thread(stopThenExit, "demo-stop").start());
      } catch (IllegalArgumentException notOnThisSystem) {
        // the shutdown hook below still stops the demo
      }
    }
    Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(demo, err), "demo-shutdown"));
    err.println(
        "govgate demo listening on "
            + demo.gateway().baseUrl()
            + " (health: "
            + demo.gateway().opsUrl()
            + "/health/ready, metrics: "
            + demo.gateway().opsUrl()
            + "/metrics)");
    err.println("govgate demo: manifest written to " + demo.manifest());
    err.println("govgate demo: H5 city-service app at " + demo.h5().url());
    return 0;
  }

  /**
   * Stops the demo once; a second call (the shutdown hook after a signal) finds nothing left to
   * stop.
   */
  private static void stop(Demo demo, PrintStream err) {
    try {
      demo.stop().await(2, TimeUnit.MINUTES);
    } catch (Exception e) {
      err.println("govgate demo: shutdown did not complete cleanly: " + reason(e));
    }
  }

  private static Path configFile(String[] args, Map<String, String> env) {
    Path file = env.containsKey("GOVGATE_CONFIG") ? Path.of(env.get("GOVGATE_CONFIG")) : null;
    for (int i = 0; i < args.length; i++) {
      if (!args[i].equals("--config")) {
        throw new ConfigException(
            args[i], "unknown argument (usage: govgate-demo [--config FILE])");
      }
      if (i + 1 >= args.length) throw new ConfigException("--config", "needs a file path");
      file = Path.of(args[++i]);
    }
    return file;
  }

  static String reason(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getMessage() == null) t = t.getCause();
    String msg = t.getMessage();
    return msg == null ? t.getClass().getSimpleName() : msg.lines().findFirst().orElse(msg);
  }
}
