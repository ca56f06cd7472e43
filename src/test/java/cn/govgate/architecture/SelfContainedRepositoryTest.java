package cn.govgate.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The repository explains itself: every path into the repository that a tracked document, script,
 * manifest or comment names ({@code ops/...}, {@code src/...}, {@code contracts/...}, {@code
 * channel-adapters/...}), every relative Markdown link and every Markdown file named by its name
 * exists in the checkout, so nothing sends a reader to a design file that lives elsewhere.
 * Generated outputs (under {@code target/} or a {@code work/} directory) are not references. {@code
 * channel-adapters/WIRE-FORMATS.md} is left out: it cites files of the platforms' public SDK
 * repositories by their own paths and commits; so is this test, whose self-test names dangling
 * references on purpose.
 */
class SelfContainedRepositoryTest {
  private static final Pattern REPO_PATH =
      Pattern.compile("(?<![\\w./-])((?:src|ops|contracts|channel-adapters)/[\\w./-]*[\\w/])");
  private static final Pattern MARKDOWN_NAME = Pattern.compile("(?<![\\w.-])([\\w.-]+\\.md)\\b");
  private static final Pattern MARKDOWN_LINK = Pattern.compile("\\]\\(([^)#\\s]+)");
  private static final Pattern TEXT_FILE =
      Pattern.compile(
          ".*\\.(md|java|sh|ya?ml|xml|properties|js|json|txt|sql|lua|conf|html|css)$|^\\.ci/.*|^\\.gitignore$");

  /** Files a run writes: named as outputs, not as documents of the repository. */
  private static final Set<String> GENERATED = Set.of("summary.md");

  @Test
  void everyReferenceIntoTheRepositoryExists() throws Exception {
    List<String> tracked = NoKeysInGitTest.trackedFiles();
    Set<String> names = new TreeSet<>();
    for (String f : tracked) names.add(Path.of(f).getFileName().toString());
    List<String> dangling = new ArrayList<>();
    for (String f : tracked) {
      if (f.contains("node_modules/")
          || f.endsWith("package-lock.json")
          || f.endsWith("WIRE-FORMATS.md")
          // This test names dangling references on purpose, in its self-test.
          || f.endsWith("/SelfContainedRepositoryTest.java")
          || !TEXT_FILE.matcher(f).matches()) continue;
      String text = read(NoKeysInGitTest.ROOT.resolve(f));
      if (text != null) dangling.addAll(dangling(f, text, names));
    }
    assertThat(dangling).as("references to files that are not in the repository").isEmpty();
  }

  @Test
  void theSearchFindsReferencesToFilesOutsideTheRepository() throws Exception {
    Set<String> names = Set.of("README.md", "ARCHITECTURE.md");
    String text =
        "See ../elsewhere/DESIGN.md and STYLE.md, ops/fuzz/README.md, [design](../docs/design.md);"
            + " README.md, ops/README.md, src/test/java/cn/govgate/authz/AuthorizationMatrixTest"
            + " and src/target/govgate.jar are fine.";
    assertThat(dangling("README.md", text, names))
        .containsExactlyInAnyOrder(
            "README.md: DESIGN.md",
            "README.md: STYLE.md",
            "README.md: ops/fuzz/README.md",
            "README.md: design.md",
            "README.md: link ../docs/design.md");
  }

  private static List<String> dangling(String file, String text, Set<String> markdownNames) {
    List<String> out = new ArrayList<>();
    Matcher p = REPO_PATH.matcher(text);
    while (p.find()) {
      String path = p.group(1).replaceAll("[./]+$", "");
      if (path.contains("target") || path.contains("/work")) continue;
      Path resolved = NoKeysInGitTest.ROOT.resolve(path);
      if (!Files.exists(resolved) && !Files.exists(Path.of(resolved + ".java")))
        out.add(file + ": " + path);
    }
    Matcher n = MARKDOWN_NAME.matcher(text);
    while (n.find()) {
      if (!markdownNames.contains(n.group(1)) && !GENERATED.contains(n.group(1)))
        out.add(file + ": " + n.group(1));
    }
    if (file.endsWith(".md")) {
      Matcher l = MARKDOWN_LINK.matcher(text);
      Path dir = NoKeysInGitTest.ROOT.resolve(file).getParent();
      while (l.find()) {
        String link = l.group(1);
        if (link.matches("[a-z]+:.*")) continue;
        if (!Files.exists(dir.resolve(link))) out.add(file + ": link " + link);
      }
    }
    return out;
  }

  /** The file as UTF-8 text, or null for a file that is not. */
  private static String read(Path file) throws IOException {
    if (!Files.isRegularFile(file)) return null;
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .decode(java.nio.ByteBuffer.wrap(Files.readAllBytes(file)))
          .toString();
    } catch (CharacterCodingException notText) {
      return null;
    }
  }
}
