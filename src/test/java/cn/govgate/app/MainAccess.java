package cn.govgate.app;

import java.io.PrintStream;
import java.util.Map;

/** Lets tests in other packages run {@link Main} without exiting the JVM. */
public final class MainAccess {
  private MainAccess() {}

  public static int run(String[] args, Map<String, String> env, PrintStream err) {
    return Main.run(args, env, err);
  }
}
