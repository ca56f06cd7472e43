package cn.govgate.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class IdNumberTest {

  private static final Clock JUNE_2025 =
      Clock.fixed(Instant.parse("2025-06-15T00:00:00Z"), ZoneOffset.UTC);

  @Test
  void acceptsTheStandardsPublishedExampleComputedByHand() {
    // GB 11643-1999's example 11010519491231002X. Digits 1 1 0 1 0 5 1 9 4 9 1 2 3 1 0 0 2 times
    // weights
    // 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2 = 7+9+0+5+0+20+2+9+24+27+7+18+30+5+0+0+4 = 167; 167 mod
    // 11 = 2;
    // position 2 of "10X98765432" is X.
    IdNumber.Validation result = IdNumber.validate("11010519491231002X", JUNE_2025);

    assertThat(result.valid()).isTrue();
    assertThat(result.reason()).isNull();
    assertThat(IdNumber.checkChar("11010519491231002")).isEqualTo('X');
    assertThat(IdNumber.birthDate("11010519491231002X")).isEqualTo(LocalDate.of(1949, 12, 31));
  }

  @Test
  void normalizesSurroundingSpaceAndLowerCaseX() {
    IdNumber.Validation result = IdNumber.validate(" 11010519491231002x ", JUNE_2025);

    assertThat(result.valid()).isTrue();
    assertThat(result.normalized()).isEqualTo("11010519491231002X");
  }

  @Test
  void generatedSyntheticNumbersAreValid() {
    for (int sequence = 0; sequence < 1000; sequence += 37) {
      String id = IdNumber.generate("330106", LocalDate.of(1980, 2, 29), sequence);

      assertThat(IdNumber.validate(id, JUNE_2025).valid()).as(id).isTrue();
      assertThat(id).startsWith("33010619800229").hasSize(18);
    }
  }

  @Test
  void refusesWrongLength() {
    assertThat(IdNumber.validate("1101051949123100", JUNE_2025).reason()).isEqualTo("length");
    assertThat(IdNumber.validate(null, JUNE_2025).reason()).isEqualTo("length");
  }

  @Test
  void refusesLettersOutsideTheCheckPosition() {
    assertThat(IdNumber.validate("1101051949123A002X", JUNE_2025).reason()).isEqualTo("format");
    assertThat(IdNumber.validate("11010519491231002Y", JUNE_2025).reason()).isEqualTo("format");
  }

  @Test
  void refusesAWrongCheckDigit() {
    assertThat(IdNumber.validate("110105194912310021", JUNE_2025).reason())
        .isEqualTo("check_digit");
  }

  @Test
  void refusesImpossibleFutureAndTooEarlyBirthDates() {
    assertThat(IdNumber.validate(withCheck("33010619810229001"), JUNE_2025).reason())
        .isEqualTo("birth_date");
    assertThat(IdNumber.validate(withCheck("33010620250616001"), JUNE_2025).reason())
        .isEqualTo("birth_date");
    assertThat(IdNumber.validate(withCheck("33010618991231001"), JUNE_2025).reason())
        .isEqualTo("birth_date");
    assertThat(IdNumber.validate(withCheck("33010620250615001"), JUNE_2025).valid()).isTrue();
  }

  @Test
  void refusesUnknownProvincePrefixes() {
    for (String prefix : new String[] {"00", "16", "24", "47", "55", "66", "72", "83", "99"}) {
      assertThat(IdNumber.validate(withCheck(prefix + "010619800101001"), JUNE_2025).reason())
          .as(prefix)
          .isEqualTo("region");
    }
    assertThat(IdNumber.validate(withCheck("82000019800101001"), JUNE_2025).valid()).isTrue();
  }

  @Test
  void masksAllButTheFirstSixAndLastFour() {
    assertThat(IdNumber.mask("11010519491231002x")).isEqualTo("110105********002X");
    assertThat(IdNumber.mask("1234")).isEqualTo("****");
    assertThat(IdNumber.mask("110105491231002")).isEqualTo("***********1002");
  }

  @Test
  void refusesToGenerateForAnUnknownRegionOrSequence() {
    assertThatThrownBy(() -> IdNumber.generate("990100", LocalDate.of(1990, 1, 1), 1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> IdNumber.generate("330100", LocalDate.of(1990, 1, 1), 1000))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private static String withCheck(String first17) {
    return first17 + IdNumber.checkChar(first17);
  }
}
