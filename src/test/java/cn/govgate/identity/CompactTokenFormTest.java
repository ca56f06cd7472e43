package cn.govgate.identity;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The session check's one-pass test of the compact JWS form ({@link SessionTokens#compact}) accepts
 * exactly what the regular expression that defines the form ({@link SessionTokens#COMPACT})
 * accepts: segment lengths at and beside every bound, every character class, one, two and three
 * dots.
 */
class CompactTokenFormTest {
  private static final String ALPHABET =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";
  private static final String OTHER = ".=+/ \t\n%é\u0000";

  @Test
  void agreesWithTheRegularExpressionAtEveryBound() {
    int[] headers = {0, 1, 15, 16, 17, 200, 511, 512, 513};
    int[] payloads = {0, 15, 16, 17, 1000, 2999, 3000, 3001};
    int[] signatures = {0, 42, 43, 44};
    Random random = new Random(20261202);
    int accepted = 0;
    for (int h : headers) {
      for (int p : payloads) {
        for (int s : signatures) {
          String token = segment(random, h) + "." + segment(random, p) + "." + segment(random, s);
          boolean expected = SessionTokens.COMPACT.matcher(token).matches();
          assertThat(SessionTokens.compact(token)).as("%d.%d.%d", h, p, s).isEqualTo(expected);
          if (expected) accepted++;
          // Everything around the form: no dot, one dot, a third dot, a character outside the
          // alphabet at the start, middle or end.
          for (String variant :
              new String[] {
                token.replace(".", ""),
                token.substring(0, token.lastIndexOf('.'))
                    + token.substring(token.lastIndexOf('.') + 1),
                token + ".",
                "." + token,
                token + "." + segment(random, 5),
                mutate(random, token, 0),
                mutate(random, token, token.length() / 2),
                mutate(random, token, token.length() - 1)
              }) {
            assertThat(SessionTokens.compact(variant))
                .as("variant of %d.%d.%d", h, p, s)
                .isEqualTo(SessionTokens.COMPACT.matcher(variant).matches());
          }
        }
      }
    }
    assertThat(accepted).as("the bounds include accepted tokens").isGreaterThan(10);
  }

  @Test
  void agreesOnRandomStrings() {
    Random random = new Random(7);
    String chars = ALPHABET + OTHER;
    for (int i = 0; i < 20_000; i++) {
      int length = random.nextInt(120);
      StringBuilder sb = new StringBuilder(length);
      for (int j = 0; j < length; j++) {
        // Mostly the alphabet, sometimes a dot or another character.
        int pick = random.nextInt(40);
        sb.append(
            pick == 0
                ? '.'
                : pick == 1
                    ? OTHER.charAt(random.nextInt(OTHER.length()))
                    : chars.charAt(random.nextInt(ALPHABET.length())));
      }
      String s = sb.toString();
      assertThat(SessionTokens.compact(s))
          .as(s)
          .isEqualTo(SessionTokens.COMPACT.matcher(s).matches());
    }
  }

  private static String segment(Random random, int length) {
    StringBuilder sb = new StringBuilder(length);
    for (int i = 0; i < length; i++) sb.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
    return sb.toString();
  }

  private static String mutate(Random random, String token, int at) {
    if (token.isEmpty()) return OTHER.substring(0, 1);
    char c = OTHER.charAt(random.nextInt(OTHER.length()));
    return token.substring(0, at) + c + token.substring(at + 1);
  }
}
