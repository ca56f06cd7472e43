package cn.govgate.sim.citizens;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SyntheticCitizensTest {

  private static final Clock NOW =
      Clock.fixed(Instant.parse("2025-06-15T00:00:00Z"), ZoneOffset.UTC);

  @Test
  void sameSeedGivesTheSamePeople() {
    assertThat(SyntheticCitizens.generate(500, 42)).isEqualTo(SyntheticCitizens.generate(500, 42));
    assertThat(SyntheticCitizens.generate(500, 42))
        .isNotEqualTo(SyntheticCitizens.generate(500, 43));
  }

  @Test
  void aShorterListIsAPrefixOfALongerOne() {
    assertThat(SyntheticCitizens.generate(10_000, 7).subList(0, 100))
        .isEqualTo(SyntheticCitizens.generate(100, 7));
  }

  @Test
  void tenThousandCitizensAreValidDistinctAndLiveInHangzhouOrChengdu() {
    List<SyntheticCitizen> citizens = SyntheticCitizens.generate(10_000, 20_250_615L);

    assertThat(citizens).hasSize(10_000);
    Set<String> ids = new HashSet<>();
    Set<String> regions = new HashSet<>();
    for (SyntheticCitizen citizen : citizens) {
      assertThat(ResidentIds.isValid(citizen.idNumber(), java.time.LocalDate.now(NOW)))
          .as(citizen.toString())
          .isTrue();
      assertThat(ids.add(citizen.idNumber())).isTrue();
      assertThat(citizen.idNumber()).startsWith(citizen.homeRegion().substring(0, 4));
      assertThat(ResidentIds.birthDate(citizen.idNumber())).isEqualTo(citizen.birthDate());
      assertThat(citizen.name().codePointCount(0, citizen.name().length())).isBetween(2, 3);
      assertThat(citizen.phone()).matches("1\\d{10}");
      int sequence = Integer.parseInt(citizen.idNumber().substring(14, 17));
      assertThat(citizen.gender())
          .isEqualTo(
              sequence % 2 == 1 ? SyntheticCitizen.Gender.MALE : SyntheticCitizen.Gender.FEMALE);
      regions.add(citizen.homeRegion());
    }
    assertThat(regions).containsExactlyInAnyOrder("330100", "510100");
  }

  @Test
  void toStringDoesNotRevealPersonalData() {
    SyntheticCitizen citizen = SyntheticCitizens.generate(1, 1).get(0);

    assertThat(citizen.toString())
        .doesNotContain(citizen.idNumber())
        .doesNotContain(citizen.name())
        .doesNotContain(citizen.phone());
  }
}
