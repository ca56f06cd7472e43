package cn.govgate.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * Symmetric key material from configuration: a Base64 value, or {@code file:/path} to a file holding one.
 * In demo mode a missing key is generated once into {@code <dataDir>/keys/<name>.key} (owner-only) and
 * reused on restart; outside demo mode a missing key stops start-up.
 */
public final class KeyMaterial {
  private static final SecureRandom RANDOM = new SecureRandom();

  private KeyMaterial() {}

  /**
   * Reads a key of exactly {@code length} bytes.
   *
   * @param key configuration key, e.g. {@code audit.hmacKey}
   * @param name file name stem for a generated demo key
   */
  public static byte[] read(ConfigValues v, String key, int length, boolean demo, Path dataDir, String name) {
    String raw = v.raw(key);
    if (raw == null) {
      if (!demo) throw new ConfigException(key, "is required (" + length + " random bytes, Base64, or file:/path)");
      return generated(dataDir.resolve("keys").resolve(name + ".key"), length);
    }
    return decode(key, raw, length);
  }

  /** Decodes a Base64 value or the content of {@code file:/path}; checks the length. */
  public static byte[] decode(String key, String raw, int length) {
    String value = raw;
    if (raw.startsWith("file:")) {
      value = KeyFiles.read(key, Path.of(raw.substring(5))).trim();
    }
    byte[] bytes;
    try {
      bytes = Base64.getDecoder().decode(value);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(key, "must be Base64");
    }
    if (bytes.length != length) {
      throw new ConfigException(key, "must be " + length + " bytes, got " + bytes.length);
    }
    return bytes;
  }

  /**
   * Writes a generated secret atomically (temp file + move) and readable by its owner only, where the file system
   * supports POSIX permissions. Blocking.
   */
  public static void writeSecret(Path file, String content) throws IOException {
    Files.createDirectories(file.getParent());
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.deleteIfExists(tmp);
    try {
      // Created owner-only, so the secret is never readable by others, not even between create and chmod.
      Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    } catch (UnsupportedOperationException notPosix) {
      Files.createFile(tmp);
    }
    Files.writeString(tmp, content);
    Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }

  private static synchronized byte[] generated(Path file, int length) {
    try {
      if (Files.exists(file)) return decode(file.toString(), Files.readString(file).trim(), length);
      byte[] bytes = new byte[length];
      RANDOM.nextBytes(bytes);
      writeSecret(file, Base64.getEncoder().encodeToString(bytes));
      return bytes;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write generated key " + file, e);
    }
  }
}
