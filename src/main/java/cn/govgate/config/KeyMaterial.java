package cn.govgate.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;

/**
 * Symmetric key material from configuration: a Base64 value, or {@code file:/path} to a file
 * holding one (which must be private to its owner, see {@link KeyFiles}). A missing key stops
 * start-up.
 */
public final class KeyMaterial {
  private KeyMaterial() {}

  /**
   * Reads the required key {@code key} (e.g. {@code audit.hmacKey}) of exactly {@code length}
   * bytes.
   */
  public static byte[] required(ConfigValues v, String key, int length) {
    String raw = v.raw(key);
    if (raw == null)
      throw new ConfigException(
          key, "is required (" + length + " random bytes, Base64, or file:/path)");
    return decode(key, raw, length);
  }

  /** The DER bytes of a PEM block (any label). */
  public static byte[] pemDer(String pem) {
    return Base64.getDecoder()
        .decode(pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", ""));
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
   * A symmetric key the gateway generates itself when none is configured: read from {@code file}
   * when it exists, else — when {@code generate} — {@code length} random bytes written there first
   * (owner-only); null when neither. Blocking file I/O: start-up only.
   */
  public static byte[] generated(String key, Path file, int length, boolean generate) {
    try {
      if (!Files.exists(file)) {
        if (!generate) return null;
        byte[] bytes = new byte[length];
        new java.security.SecureRandom().nextBytes(bytes);
        writeSecret(file, Base64.getEncoder().encodeToString(bytes));
      }
    } catch (IOException e) {
      throw new ConfigException(
          key, "cannot write the generated key " + file + ": " + e.getMessage());
    }
    return decode(key, "file:" + file, length);
  }

  /**
   * Writes a generated secret atomically (temp file + move) and readable by its owner only, where
   * the file system supports POSIX permissions. Blocking.
   */
  public static void writeSecret(Path file, String content) throws IOException {
    Files.createDirectories(file.getParent());
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.deleteIfExists(tmp);
    try {
      // Created owner-only, so the secret is never readable by others, not even between create and
      // chmod.
      Files.createFile(
          tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    } catch (UnsupportedOperationException notPosix) {
      Files.createFile(tmp);
    }
    Files.writeString(tmp, content);
    Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }
}
