package cn.govgate.app;

import cn.govgate.config.ConfigException;
import cn.govgate.config.GovgateConfig;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code java -jar govgate.jar [--config FILE]}: loads the configuration, starts the gateway and
 * stops it gracefully on SIGTERM/SIGINT. {@code java -jar govgate.jar <command> [--config FILE]}
 * runs an operator command instead (see {@link Commands}). A configuration error prints one line
 * naming the key and exits with 2; a start-up failure prints one line and exits with 1.
 */
public final class Main {
  static final int EXIT_CONFIG = 2;
  static final int EXIT_STARTUP = 1;

  private Main() {}

  public static void main(String[] args) {
    int code = run(args, System.getenv(), System.err);
    if (code != 0) System.exit(code);
  }

  /**
   * Runs the gateway until the JVM shuts down; returns a non-zero exit code when it cannot start.
   */
  static int run(String[] args, Map<String, String> env, PrintStream err) {
    if (args.length > 0 && Commands.NAMES.contains(args[0])) {
      return Commands.run(
          args[0], java.util.Arrays.copyOfRange(args, 1, args.length), env, System.out, err);
    }
    GovgateConfig config;
    try {
      config = loadConfig(args, env);
    } catch (ConfigException e) {
      err.println("govgate: configuration error: " + e.getMessage());
      return EXIT_CONFIG;
    }
    Gateway gateway;
    try {
      gateway = Gateway.start(config).await(10, TimeUnit.MINUTES);
    } catch (Exception e) {
      err.println("govgate: start-up failed: " + reason(e));
      return EXIT_STARTUP;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  try {
                    gateway
                        .stop()
                        .await(
                            config.http().shutdownGrace().toMillis() + 30_000,
                            TimeUnit.MILLISECONDS);
                  } catch (Exception e) {
                    err.println("govgate: shutdown did not complete cleanly: " + reason(e));
                  } finally {
                    stopped.countDown();
                  }
                },
                "govgate-shutdown"));
    err.println(
        "govgate "
            + Gateway.VERSION
            + " listening on "
            + gateway.baseUrl()
            + " (health: "
            + gateway.opsUrl()
            + "/health/ready, metrics: "
            + gateway.opsUrl()
            + "/metrics)");
    return 0;
  }

  /** Parses {@code --config FILE} (or {@code GOVGATE_CONFIG}) and loads the configuration. */
  static GovgateConfig loadConfig(String[] args, Map<String, String> env) {
    Path file = env.containsKey("GOVGATE_CONFIG") ? Path.of(env.get("GOVGATE_CONFIG")) : null;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--config" -> {
          if (i + 1 >= args.length) throw new ConfigException("--config", "needs a file path");
          file = Path.of(args[++i]);
        }
        default ->
            throw new ConfigException(
                args[i],
                "unknown argument (usage: govgate ["
                    + String.join("|", Commands.NAMES)
                    + "] [--config FILE])");
      }
    }
    return GovgateConfig.load(file, env);
  }

  static String reason(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getMessage() == null) t = t.getCause();
    String msg = t.getMessage();
    return msg == null ? t.getClass().getSimpleName() : msg.lines().findFirst().orElse(msg);
  }
}
