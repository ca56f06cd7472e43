package cn.govgate.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;

/**
 * Reads key files named by configuration ({@code file:/path} values and PEM files) and refuses
 * those others could read. The rule is PostgreSQL's for its server key: a key file must grant
 * nothing to others and, when its owner is not root, nothing to its group either (mode {@code 0600}
 * or {@code 0400}); a root-owned file may grant its group read access ({@code 0440}/{@code 0640}),
 * which is how Kubernetes mounts a secret volume into a pod with an {@code fsGroup}. A refused file
 * stops start-up with one line naming the configuration key and the file. On file systems without
 * POSIX permissions the check is skipped. Blocking file I/O: start-up only.
 */
public final class KeyFiles {
  private static final Set<PosixFilePermission> OTHERS =
      EnumSet.of(
          PosixFilePermission.OTHERS_READ,
          PosixFilePermission.OTHERS_WRITE,
          PosixFilePermission.OTHERS_EXECUTE);
  private static final Set<PosixFilePermission> GROUP =
      EnumSet.of(
          PosixFilePermission.GROUP_READ,
          PosixFilePermission.GROUP_WRITE,
          PosixFilePermission.GROUP_EXECUTE);

  private KeyFiles() {}

  /**
   * The content of key file {@code file} named by configuration key {@code key}, after the
   * permission check.
   */
  public static String read(String key, Path file) {
    checkPrivate(key, file);
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new ConfigException(key, "cannot read key file " + file);
    }
  }

  /**
   * Refuses {@code file} when group or others may read it (see the class comment for the root-owned
   * case).
   */
  public static void checkPrivate(String key, Path file) {
    PosixFileAttributes attributes;
    try {
      // Follows links: a Kubernetes secret volume links each key to a file in a hidden, atomically
      // swapped dir.
      attributes = Files.readAttributes(file, PosixFileAttributes.class);
    } catch (UnsupportedOperationException e) {
      return;
    } catch (IOException e) {
      throw new ConfigException(key, "cannot read key file " + file);
    }
    Set<PosixFilePermission> mode = attributes.permissions();
    if (tooOpen(mode, "root".equals(attributes.owner().getName()))) {
      throw new ConfigException(
          key,
          "key file "
              + file
              + " is accessible by group or others (mode "
              + PosixFilePermissions.toString(mode)
              + "); allow its owner only: chmod 600 "
              + file);
    }
  }

  /**
   * Whether {@code mode} opens a key file too wide: anything for others; anything for the group
   * unless root owns it.
   */
  static boolean tooOpen(Set<PosixFilePermission> mode, boolean rootOwned) {
    if (mode.stream().anyMatch(OTHERS::contains)) return true;
    if (!rootOwned) return mode.stream().anyMatch(GROUP::contains);
    return mode.contains(PosixFilePermission.GROUP_WRITE)
        || mode.contains(PosixFilePermission.GROUP_EXECUTE);
  }
}
