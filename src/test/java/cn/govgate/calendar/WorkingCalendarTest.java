package cn.govgate.calendar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Working days with the State Council's 2026 schedule, as shipped, and schedules added as data. */
class WorkingCalendarTest {
  private static final WorkingCalendar CALENDAR = WorkingCalendar.load(List.of());

  @Test
  void weekdaysWorkWeekendsRestOutsideTheSchedule() {
    assertThat(CALENDAR.isWorkingDay(LocalDate.parse("2026-03-06"))).isTrue(); // Friday
    assertThat(CALENDAR.isWorkingDay(LocalDate.parse("2026-03-07"))).isFalse(); // Saturday
    assertThat(CALENDAR.isWorkingDay(LocalDate.parse("2026-03-08"))).isFalse(); // Sunday
  }

  @Test
  void publicHolidaysRestAndMakeUpDaysWorkIn2026() {
    assertThat(CALENDAR.isWorkingDay(LocalDate.parse("2026-10-01"))).isFalse(); // 国庆节, Thursday
    assertThat(CALENDAR.isWorkingDay(LocalDate.parse("2026-02-23"))).isFalse(); // 春节, Monday
    assertThat(CALENDAR.isWorkingDay(LocalDate.parse("2026-09-25"))).isFalse(); // 中秋节, Friday
    assertThat(CALENDAR.isWorkingDay(LocalDate.parse("2026-09-20"))).isTrue(); // 调休上班, Sunday
    assertThat(CALENDAR.isWorkingDay(LocalDate.parse("2026-02-14"))).isTrue(); // 调休上班, Saturday
    assertThat(CALENDAR.isWorkingDay(LocalDate.parse("2026-01-04"))).isTrue(); // 调休上班, Sunday
    assertThat(CALENDAR.years()).containsKey(2026);
  }

  @Test
  void aDeadlineAcrossAWeekendEndsAtMidnightAfterTheLastWorkingDay() {
    // Filed Friday 2026-03-06 at 10:00 in Beijing time: 3 working days are Mon 9, Tue 10, Wed 11.
    Instant filed = Instant.parse("2026-03-06T02:00:00Z");
    assertThat(CALENDAR.deadline(filed, 3)).isEqualTo(Instant.parse("2026-03-11T16:00:00Z"));
    // The day of filing never counts, even when filed a minute after midnight.
    assertThat(CALENDAR.deadline(Instant.parse("2026-03-05T16:01:00Z"), 1))
        .isEqualTo(Instant.parse("2026-03-09T16:00:00Z"));
  }

  @Test
  void aDeadlineAcrossMidAutumnAndNationalDaySkipsTheHolidays() {
    // Thursday 2026-09-24: 中秋 25–27, then Mon 28, Tue 29, Wed 30, 国庆 1–7, Thu 8, Fri 9.
    Instant filed = Instant.parse("2026-09-24T02:00:00Z");
    assertThat(CALENDAR.addWorkingDays(LocalDate.parse("2026-09-24"), 5))
        .isEqualTo(LocalDate.parse("2026-10-09"));
    assertThat(CALENDAR.deadline(filed, 5)).isEqualTo(Instant.parse("2026-10-09T16:00:00Z"));
    assertThat(CALENDAR.deadline(filed, 3)).isEqualTo(Instant.parse("2026-09-30T16:00:00Z"));
  }

  @Test
  void aMakeUpSundayCounts() {
    // Friday 2026-09-18: Sat 19 rests, Sun 20 is a working day (调休), then Mon 21.
    assertThat(CALENDAR.addWorkingDays(LocalDate.parse("2026-09-18"), 2))
        .isEqualTo(LocalDate.parse("2026-09-21"));
  }

  @Test
  void aYearWithoutScheduleFallsBackToMondayToFridayAndIsNotCovered() {
    assertThat(CALENDAR.covers(LocalDate.parse("2026-12-31"))).isTrue();
    assertThat(CALENDAR.covers(LocalDate.parse("2099-01-01"))).isFalse();
    assertThat(CALENDAR.isWorkingDay(LocalDate.parse("2099-01-01")))
        .isTrue(); // a Thursday, unknown holiday
  }

  @Test
  void aLaterYearIsAddedAsAFileWithoutCode(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("cn-2031.txt");
    Files.writeString(
        file, "# test schedule\nyear 2031\n2031-01-01 holiday 元旦\n2031-01-04 workday 调休\n");
    WorkingCalendar calendar = WorkingCalendar.load(List.of(file));
    assertThat(calendar.isWorkingDay(LocalDate.parse("2031-01-01"))).isFalse(); // Wednesday
    assertThat(calendar.isWorkingDay(LocalDate.parse("2031-01-04"))).isTrue(); // Saturday
    assertThat(calendar.coveredUntil()).contains(LocalDate.parse("2031-12-31"));
    assertThat(calendar.isWorkingDay(LocalDate.parse("2026-10-01")))
        .isFalse(); // the bundled year is still there
  }

  @Test
  void aMalformedScheduleNamesTheFileAndLine() {
    assertThatThrownBy(
            () -> WorkingCalendar.parse("year 2027\n2027-13-01 holiday x\n", "cn-2027.txt"))
        .hasMessageContaining("cn-2027.txt line 2");
    assertThatThrownBy(() -> WorkingCalendar.parse("year 2027\n2026-01-01 holiday x\n", "f"))
        .hasMessageContaining("not in 2027");
    assertThatThrownBy(() -> WorkingCalendar.parse("2027-01-01 holiday x\n", "f"))
        .hasMessageContaining("must start with 'year YYYY'");
    assertThatThrownBy(() -> WorkingCalendar.parse("year 2027\n2027-01-01 day off\n", "f"))
        .hasMessageContaining("holiday or workday");
  }
}
