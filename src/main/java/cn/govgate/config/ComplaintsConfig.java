package cn.govgate.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * Consultations (咨询) and complaints (投诉): reply deadlines in working days and the holiday calendar
 * they are counted with.
 *
 * @param consultationDays working days a department has to reply to a consultation ({@code
 *     complaints.consultationDays}, default 3)
 * @param complaintDays working days a department has to reply to a complaint ({@code
 *     complaints.complaintDays}, default 5)
 * @param dailyLimit items one citizen may file per day ({@code complaints.dailyLimit}, default 20)
 * @param overdueInterval how often an instance looks for items past their deadline ({@code
 *     complaints.overdueInterval}, default 1m)
 * @param calendarFiles holiday schedules read besides the bundled ones ({@code calendar.files},
 *     comma-separated paths; a file for a bundled year replaces it): how a later year is added
 *     without a new build
 */
public record ComplaintsConfig(
    int consultationDays,
    int complaintDays,
    int dailyLimit,
    Duration overdueInterval,
    List<Path> calendarFiles) {

  public ComplaintsConfig {
    calendarFiles = List.copyOf(calendarFiles);
  }

  static ComplaintsConfig from(ConfigValues v) {
    String files = v.raw("calendar.files");
    return new ComplaintsConfig(
        v.integer("complaints.consultationDays", 3, 1, 60),
        v.integer("complaints.complaintDays", 5, 1, 60),
        v.integer("complaints.dailyLimit", 20, 1, 10_000),
        v.duration(
            "complaints.overdueInterval",
            Duration.ofMinutes(1),
            Duration.ofMillis(50),
            Duration.ofHours(1)),
        files == null
            ? List.of()
            : Arrays.stream(files.split(","))
                .map(String::strip)
                .filter(s -> !s.isEmpty())
                .map(Path::of)
                .toList());
  }

  public static ComplaintsConfig defaults() {
    return new ComplaintsConfig(3, 5, 20, Duration.ofMinutes(1), List.of());
  }
}
