package cn.govgate.calendar;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Working days (工作日) in mainland China, in the Asia/Shanghai time zone: Monday to Friday, except
 * the public holidays (放假) of the State Council's yearly schedule, plus the weekend days that
 * schedule makes working days (调休上班). The schedule is data, one file per year ({@code
 * calendar/cn-<year>.txt} on the classpath, or files named in {@code calendar.files}); see the
 * shipped 2026 file for the format.
 *
 * <p>A deadline of N working days (as in 行政许可法 §82: 期限以工作日计算) does not count the day the matter
 * arrives on: it ends at the end of the N-th working day after that day. A year without a schedule
 * falls back to Monday–Friday; {@link #coveredUntil()} says how far the schedules reach, so
 * operators are warned before the year runs out. Immutable and thread-safe; all methods are
 * CPU-only.
 */
public final class WorkingCalendar {
  /** The time zone every date of the calendar is in. */
  public static final ZoneId ZONE = ZoneId.of("Asia/Shanghai");

  private static final int FIRST_BUNDLED_YEAR = 2020;
  private static final int LAST_BUNDLED_YEAR = 2100;

  /** The kind of day a schedule names. */
  public enum DayType {
    HOLIDAY,
    WORKDAY
  }

  /** One year's schedule: the days that differ from the Monday–Friday rule. */
  public record YearSchedule(int year, Map<LocalDate, DayType> days, String source) {
    public YearSchedule {
      days = Collections.unmodifiableMap(new TreeMap<>(days));
    }
  }

  private final Map<LocalDate, DayType> days;
  private final TreeMap<Integer, String> years;

  private WorkingCalendar(List<YearSchedule> schedules) {
    Map<Integer, YearSchedule> byYear = new TreeMap<>();
    for (YearSchedule s : schedules) byYear.put(s.year(), s);
    Map<LocalDate, DayType> all = new HashMap<>();
    TreeMap<Integer, String> covered = new TreeMap<>();
    byYear
        .values()
        .forEach(
            s -> {
              all.putAll(s.days());
              covered.put(s.year(), s.source());
            });
    this.days = Map.copyOf(all);
    this.years = covered;
  }

  /**
   * A calendar of exactly these schedules (a later schedule of the same year replaces an earlier
   * one).
   */
  public static WorkingCalendar of(List<YearSchedule> schedules) {
    return new WorkingCalendar(schedules);
  }

  /**
   * The schedules on the classpath ({@code calendar/cn-<year>.txt}), then the files named
   * (replacing a bundled year they also describe). Reads files: call at start-up, off the event
   * loop.
   *
   * @throws IllegalArgumentException naming the file and line of a malformed schedule
   */
  public static WorkingCalendar load(List<Path> extraFiles) {
    List<YearSchedule> schedules = new java.util.ArrayList<>();
    ClassLoader loader = WorkingCalendar.class.getClassLoader();
    for (int year = FIRST_BUNDLED_YEAR; year <= LAST_BUNDLED_YEAR; year++) {
      String name = "calendar/cn-" + year + ".txt";
      try (InputStream in = loader.getResourceAsStream(name)) {
        if (in != null)
          schedules.add(parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), name));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    for (Path file : extraFiles) {
      try {
        schedules.add(parse(Files.readString(file, StandardCharsets.UTF_8), file.toString()));
      } catch (IOException e) {
        throw new IllegalArgumentException(
            "cannot read holiday schedule " + file + ": " + e.getMessage());
      }
    }
    return new WorkingCalendar(schedules);
  }

  /** Parses one year's schedule; {@code source} names it in errors. */
  public static YearSchedule parse(String text, String source) {
    Integer year = null;
    Map<LocalDate, DayType> days = new HashMap<>();
    String[] lines = text.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i].strip();
      if (line.isEmpty() || line.startsWith("#")) continue;
      String[] parts = line.split("\\s+", 3);
      String where = source + " line " + (i + 1);
      if (parts[0].equals("year")) {
        if (parts.length < 2 || !parts[1].matches("\\d{4}"))
          throw new IllegalArgumentException(where + ": year YYYY");
        year = Integer.parseInt(parts[1]);
        continue;
      }
      if (year == null)
        throw new IllegalArgumentException(where + ": the file must start with 'year YYYY'");
      if (parts.length < 2)
        throw new IllegalArgumentException(where + ": expected '<date> holiday|workday [name]'");
      LocalDate date;
      try {
        date = LocalDate.parse(parts[0]);
      } catch (DateTimeParseException e) {
        throw new IllegalArgumentException(where + ": not an ISO date: " + parts[0]);
      }
      if (date.getYear() != year)
        throw new IllegalArgumentException(where + ": " + date + " is not in " + year);
      DayType type =
          switch (parts[1]) {
            case "holiday" -> DayType.HOLIDAY;
            case "workday" -> DayType.WORKDAY;
            default ->
                throw new IllegalArgumentException(where + ": day type must be holiday or workday");
          };
      if (days.put(date, type) != null)
        throw new IllegalArgumentException(where + ": " + date + " listed twice");
    }
    if (year == null) throw new IllegalArgumentException(source + ": no 'year YYYY' line");
    return new YearSchedule(year, days, source);
  }

  /** Whether {@code date} is a working day. */
  public boolean isWorkingDay(LocalDate date) {
    DayType type = days.get(date);
    if (type != null) return type == DayType.WORKDAY;
    DayOfWeek d = date.getDayOfWeek();
    return d != DayOfWeek.SATURDAY && d != DayOfWeek.SUNDAY;
  }

  /**
   * The {@code n}-th working day after {@code day} ({@code day} itself not counted); {@code n} ≥ 1.
   */
  public LocalDate addWorkingDays(LocalDate day, int n) {
    if (n < 1) throw new IllegalArgumentException("n must be at least 1");
    LocalDate d = day;
    for (int counted = 0; counted < n; ) {
      d = d.plusDays(1);
      if (isWorkingDay(d)) counted++;
    }
    return d;
  }

  /**
   * The deadline of something that arrived at {@code at} and must be handled within {@code
   * workingDays}: the end of the last allowed working day, i.e. the first instant after it
   * (midnight Asia/Shanghai), exclusive.
   */
  public Instant deadline(Instant at, int workingDays) {
    LocalDate last = addWorkingDays(LocalDate.ofInstant(at, ZONE), workingDays);
    return last.plusDays(1).atStartOfDay(ZONE).toInstant();
  }

  /** Whether a State Council schedule covers {@code date}'s year. */
  public boolean covers(LocalDate date) {
    return years.containsKey(date.getYear());
  }

  /** The last day of the last year with a schedule, empty when there is none. */
  public Optional<LocalDate> coveredUntil() {
    return years.isEmpty() ? Optional.empty() : Optional.of(LocalDate.of(years.lastKey(), 12, 31));
  }

  /** The years with a schedule and where each came from. */
  public Map<Integer, String> years() {
    return Collections.unmodifiableMap(years);
  }
}
