package cn.govgate.sim.departments;

import cn.govgate.sim.citizens.ResidentIds;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Department records derived deterministically from a citizen's ID number (and, where time matters,
 * from "today"), so that every simulator instance and the demo agree without sharing state. Pure
 * functions; thread-safe.
 */
public final class DepartmentData {

  /** China Standard Time; departments reason in local dates. */
  public static final ZoneOffset CST = ZoneOffset.ofHours(8);

  /**
   * Insurance types with employer and personal rates in basis points (typical Zhejiang/Sichuan
   * rates).
   */
  enum Insurance {
    PENSION("pension", 1600, 800),
    MEDICAL("medical", 950, 200),
    UNEMPLOYMENT("unemployment", 50, 50),
    INJURY("injury", 40, 0),
    MATERNITY("maternity", 80, 0);

    final String wireName;
    final int employerBp;
    final int personalBp;

    Insurance(String wireName, int employerBp, int personalBp) {
      this.wireName = wireName;
      this.employerBp = employerBp;
      this.personalBp = personalBp;
    }
  }

  /** The social-insurance facts of one person. */
  public record SocialSecurityProfile(
      String status,
      List<String> insuranceTypes,
      String employer,
      LocalDate startDate,
      YearMonth lastPaidMonth,
      long baseFen2020) {

    /** The contribution base of a month: grows 4 % a year from 2020. */
    public long baseFen(YearMonth month) {
      return roundToYuan(baseFen2020 * (100 + 4L * (month.getYear() - 2020)) / 100);
    }
  }

  /** The housing-fund facts of one person. */
  public record HousingFundProfile(
      String accountNo,
      String status,
      String employer,
      LocalDate openedOn,
      YearMonth lastDepositMonth,
      int ratePercent,
      long baseFen2020,
      int keptPercent) {

    public long baseFen(YearMonth month) {
      return roundToYuan(baseFen2020 * (100 + 4L * (month.getYear() - 2020)) / 100);
    }

    /** Employer and personal parts are equal. */
    public long partFen(YearMonth month) {
      return baseFen(month) * ratePercent / 100;
    }

    public YearMonth firstDepositMonth() {
      return YearMonth.from(openedOn);
    }
  }

  /** One registered motor vehicle. */
  public record Vehicle(
      String plate,
      String plateType,
      String brand,
      String model,
      String vinLast6,
      String status,
      LocalDate registeredOn,
      LocalDate inspectionDueOn) {}

  /** One traffic-violation fine as first recorded (paid state may change in a simulator). */
  public record Fine(
      String decisionNumber,
      OffsetDateTime time,
      String place,
      String offenceCode,
      String offenceDescription,
      long amountFen,
      int points,
      boolean payable,
      OffsetDateTime paidAt) {

    public boolean initiallyPaid() {
      return paidAt != null;
    }
  }

  /** A household utility account. */
  public record HouseholdAccount(String utilityType, String accountNo) {}

  /** The current bill of an account. */
  public record Bill(
      String billRef,
      String utilityType,
      String accountNo,
      YearMonth period,
      long usageQuantity,
      String usageUnit,
      long amountFen,
      LocalDate dueDate,
      boolean initiallyPaid) {}

  private static final String[] EMPLOYER_WORDS = {
    "云帆", "恒信", "启明", "瑞丰", "蓝海", "同创", "华锦", "嘉禾", "远景", "博源", "立达", "中和", "鼎盛", "新程"
  };
  private static final String[] EMPLOYER_SUFFIXES = {
    "科技有限公司", "贸易有限公司", "建设工程有限公司", "医疗器械有限公司", "物流有限公司", "餐饮管理有限公司", "信息技术有限公司", "教育咨询有限公司"
  };
  private static final String[][] CARS = {
    {"大众", "朗逸", "02"}, {"丰田", "卡罗拉", "02"}, {"本田", "雅阁", "02"}, {"吉利", "帝豪", "02"},
    {"长安", "CS75", "02"}, {"比亚迪", "秦PLUS", "52"}, {"特斯拉", "Model 3", "52"}, {"五菱", "宏光MINIEV", "52"}
  };
  private static final String PLATE_CHARS = "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789";
  private static final Object[][] OFFENCES = {
    {"1625", "驾驶机动车违反道路交通信号灯通行的", 20_000L, 6},
    {"1039", "机动车违反规定停放、临时停车，妨碍其他车辆、行人通行的", 15_000L, 0},
    {"1344", "机动车违反禁令标志指示的", 10_000L, 3},
    {"1345", "机动车违反禁止标线指示的", 10_000L, 3},
    {"1352", "驾驶小型载客汽车超过规定时速10%未达20%的", 20_000L, 0},
    {"1357", "驾驶机动车行经人行横道，不按规定减速、停车、避让行人的", 20_000L, 9},
    {"1301", "机动车不按规定车道行驶的", 10_000L, 2}
  };
  private static final Map<String, String[]> CITY =
      Map.of(
          "3301", new String[] {"杭州市", "浙", "文三路", "莫干山路", "延安路", "天目山路", "解放路"},
          "5101", new String[] {"成都市", "川", "天府大道", "人民南路", "蜀都大道", "一环路", "红星路"});
  private static final Map<String, String> DISTRICTS =
      Map.ofEntries(
          Map.entry("330102", "上城区"),
          Map.entry("330105", "拱墅区"),
          Map.entry("330106", "西湖区"),
          Map.entry("330108", "滨江区"),
          Map.entry("330109", "萧山区"),
          Map.entry("330110", "余杭区"),
          Map.entry("510104", "锦江区"),
          Map.entry("510105", "青羊区"),
          Map.entry("510106", "金牛区"),
          Map.entry("510107", "武侯区"),
          Map.entry("510108", "成华区"),
          Map.entry("510112", "龙泉驿区"));

  private static final DateTimeFormatter RFC_3339 =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ssXXX");

  private DepartmentData() {}

  /**
   * The city-level region of an ID number's address code, e.g. {@code 330106…} → {@code 330100}.
   */
  public static String cityOf(String idNumber) {
    return idNumber.substring(0, 4) + "00";
  }

  /** The Chinese name of a supported city region, or the code itself. */
  public static String cityName(String region) {
    String[] city = CITY.get(region.substring(0, 4));
    return city == null ? region : city[0];
  }

  public static SocialSecurityProfile socialSecurity(String idNumber, LocalDate today) {
    SplittableRandom random = random(idNumber, "social-security");
    LocalDate startDate = workStart(idNumber, random, today);
    int roll = random.nextInt(100);
    String status = roll < 75 ? "active" : roll < 90 ? "suspended" : "terminated";
    YearMonth lastMonth = YearMonth.from(today).minusMonths(1);
    if (!status.equals("active")) {
      lastMonth = lastMonth.minusMonths(2 + random.nextInt(30));
    }
    if (lastMonth.isBefore(YearMonth.from(startDate))) {
      lastMonth = YearMonth.from(startDate);
    }
    List<String> types = new ArrayList<>();
    boolean withoutUnemployment = random.nextInt(10) == 0;
    for (Insurance insurance : Insurance.values()) {
      if (!(withoutUnemployment && insurance == Insurance.UNEMPLOYMENT)) {
        types.add(insurance.wireName);
      }
    }
    long base = roundToYuan(380_000 + random.nextInt(1_600_000));
    return new SocialSecurityProfile(
        status, List.copyOf(types), employer(idNumber, random), startDate, lastMonth, base);
  }

  /** Employer and personal amounts (fen) of one insurance type for a contribution base. */
  static long[] contribution(Insurance insurance, long baseFen) {
    return new long[] {
      percentOf(baseFen, insurance.employerBp), percentOf(baseFen, insurance.personalBp)
    };
  }

  public static HousingFundProfile housingFund(String idNumber, LocalDate today) {
    SocialSecurityProfile social = socialSecurity(idNumber, today);
    SplittableRandom random = random(idNumber, "housing-fund");
    LocalDate openedOn = social.startDate().plusDays(random.nextInt(200));
    if (openedOn.isAfter(today.minusMonths(1))) {
      openedOn = today.minusMonths(1);
    }
    int roll = random.nextInt(100);
    String status = roll < 80 ? "normal" : roll < 95 ? "sealed" : "closed";
    YearMonth last = YearMonth.from(today).minusMonths(1);
    if (!status.equals("normal")) {
      last = last.minusMonths(1 + random.nextInt(24));
    }
    if (last.isBefore(YearMonth.from(openedOn))) {
      last = YearMonth.from(openedOn);
    }
    String accountNo = digits(random, 12);
    return new HousingFundProfile(
        accountNo,
        status,
        social.employer(),
        openedOn,
        last,
        5 + random.nextInt(8),
        social.baseFen2020(),
        30 + random.nextInt(71));
  }

  /**
   * Balance: deposits of every month kept in part (withdrawals for rent or a home loan); 0 once
   * closed.
   */
  public static long housingFundBalanceFen(HousingFundProfile profile) {
    if (profile.status().equals("closed")) {
      return 0;
    }
    long total = 0;
    for (YearMonth m = profile.firstDepositMonth();
        !m.isAfter(profile.lastDepositMonth());
        m = m.plusMonths(1)) {
      total += 2 * profile.partFen(m);
    }
    return total * profile.keptPercent() / 100;
  }

  public static List<Vehicle> vehicles(String idNumber, LocalDate today) {
    SplittableRandom random = random(idNumber, "traffic");
    int roll = random.nextInt(100);
    int count = roll < 35 ? 0 : roll < 80 ? 1 : 2;
    String[] city = CITY.getOrDefault(idNumber.substring(0, 4), CITY.get("3301"));
    LocalDate adult = ResidentIds.birthDate(idNumber).plusYears(18);
    List<Vehicle> vehicles = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      String[] car = CARS[random.nextInt(CARS.length)];
      boolean newEnergy = car[2].equals("52");
      StringBuilder plate = new StringBuilder(city[1]).append('A').append(newEnergy ? "D" : "");
      for (int c = 0; c < 5; c++) {
        plate.append(
            newEnergy && c > 0
                ? (char) ('0' + random.nextInt(10))
                : PLATE_CHARS.charAt(random.nextInt(PLATE_CHARS.length())));
      }
      long span = Math.max(1, ChronoUnit.DAYS.between(adult, today) - 30);
      // nextDouble draws exactly once, so later vehicles do not depend on today's date.
      double fraction = random.nextDouble();
      LocalDate registeredOn =
          adult.isBefore(today) ? adult.plusDays((long) (fraction * span)) : today.minusDays(30);
      int statusRoll = random.nextInt(100);
      String status =
          statusRoll < 85 ? "normal" : statusRoll < 95 ? "inspection_overdue" : "mortgaged";
      LocalDate inspectionDue =
          status.equals("inspection_overdue")
              ? today.minusDays(1 + random.nextInt(300))
              : today.plusDays(1 + random.nextInt(700));
      vehicles.add(
          new Vehicle(
              plate.toString(),
              car[2],
              car[0],
              car[1],
              digits(random, 6),
              status,
              registeredOn,
              inspectionDue));
    }
    return List.copyOf(vehicles);
  }

  /**
   * The fines recorded against a vehicle: 0–3, within the last two years. Decision numbers,
   * offences and amounts depend on the ID number only; the offence times are counted back from
   * {@code today}.
   */
  public static List<Fine> fines(String idNumber, Vehicle vehicle, LocalDate today) {
    SplittableRandom random = random(idNumber, "fines:" + vehicle.plate() + vehicle.vinLast6());
    int count = random.nextInt(4);
    String[] city = CITY.getOrDefault(idNumber.substring(0, 4), CITY.get("3301"));
    List<Fine> fines = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      Object[] offence = OFFENCES[random.nextInt(OFFENCES.length)];
      OffsetDateTime time =
          today
              .minusDays(3 + random.nextInt(700))
              .atTime(LocalTime.of(7 + random.nextInt(15), random.nextInt(60)))
              .atOffset(CST);
      String place =
          city[0]
              + city[2 + random.nextInt(5)]
              + (random.nextBoolean()
                  ? "与" + city[2 + random.nextInt(5)] + "交叉口"
                  : (1 + random.nextInt(400)) + "号附近");
      int points = (Integer) offence[3];
      OffsetDateTime paidAt =
          random.nextInt(10) < 3 ? time.plusDays(1 + random.nextInt(10)).withHour(20) : null;
      fines.add(
          new Fine(
              idNumber.substring(0, 6) + digits(random, 10),
              time,
              place,
              (String) offence[0],
              (String) offence[1],
              (Long) offence[2],
              points,
              points < 9,
              paidAt));
    }
    return List.copyOf(fines);
  }

  /**
   * Water and power for everyone, gas for most; account numbers start 1 (water), 2 (power), 3
   * (gas).
   */
  public static List<HouseholdAccount> accounts(String idNumber) {
    SplittableRandom random = random(idNumber, "utilities");
    List<HouseholdAccount> accounts = new ArrayList<>(3);
    accounts.add(new HouseholdAccount("water", "1" + digits(random, 9)));
    accounts.add(new HouseholdAccount("power", "2" + digits(random, 9)));
    String gas = "3" + digits(random, 9);
    if (random.nextInt(10) < 7) {
      accounts.add(new HouseholdAccount("gas", gas));
    }
    return List.copyOf(accounts);
  }

  /** The masked service address of a household: street kept, house and room numbers hidden. */
  public static String maskedAddress(String idNumber) {
    SplittableRandom random = random(idNumber, "address");
    String[] city = CITY.getOrDefault(idNumber.substring(0, 4), CITY.get("3301"));
    String district = DISTRICTS.getOrDefault(idNumber.substring(0, 6), "");
    return city[0] + district + city[2 + random.nextInt(5)] + "***号***室";
  }

  /** The bill of the previous calendar month, due on the 25th of the current one. */
  public static Bill currentBill(HouseholdAccount account, LocalDate today) {
    YearMonth period = YearMonth.from(today).minusMonths(1);
    String billRef =
        account.utilityType().substring(0, 1).toUpperCase(Locale.ROOT)
            + account.accountNo()
            + period.toString().replace("-", "");
    SplittableRandom random = random(billRef, "bill");
    long amount;
    long quantity;
    String unit;
    switch (account.utilityType()) {
      case "water" -> {
        quantity = 4 + random.nextInt(30);
        amount = quantity * 290;
        unit = "m3";
      }
      case "power" -> {
        quantity = 80 + random.nextInt(600);
        amount = quantity * 58;
        unit = "kWh";
      }
      default -> {
        quantity = 5 + random.nextInt(40);
        amount = quantity * 300;
        unit = "m3";
      }
    }
    return new Bill(
        billRef,
        account.utilityType(),
        account.accountNo(),
        period,
        quantity,
        unit,
        amount,
        YearMonth.from(today).atDay(25),
        random.nextInt(10) < 2);
  }

  /**
   * RFC 3339 with seconds always present ({@code OffsetDateTime.toString()} drops zero seconds).
   */
  public static String formatInstant(OffsetDateTime time) {
    return RFC_3339.format(time);
  }

  private static LocalDate workStart(String idNumber, SplittableRandom random, LocalDate today) {
    LocalDate start =
        ResidentIds.birthDate(idNumber).plusYears(18).plusDays(random.nextInt(6 * 365));
    LocalDate earliest = LocalDate.of(1995, 1, 1).plusDays(random.nextInt(365));
    if (start.isBefore(earliest)) {
      start = earliest;
    }
    LocalDate latest = today.minusMonths(2);
    return start.isAfter(latest) ? latest : start;
  }

  private static String employer(String idNumber, SplittableRandom random) {
    String[] city = CITY.getOrDefault(idNumber.substring(0, 4), CITY.get("3301"));
    return city[0].substring(0, 2)
        + EMPLOYER_WORDS[random.nextInt(EMPLOYER_WORDS.length)]
        + EMPLOYER_SUFFIXES[random.nextInt(EMPLOYER_SUFFIXES.length)];
  }

  static long percentOf(long baseFen, int basisPoints) {
    return (baseFen * basisPoints + 5_000) / 10_000;
  }

  private static long roundToYuan(long fen) {
    return (fen + 50) / 100 * 100;
  }

  private static String digits(SplittableRandom random, int count) {
    StringBuilder s = new StringBuilder(count);
    for (int i = 0; i < count; i++) {
      s.append((char) ('0' + random.nextInt(10)));
    }
    return s.toString();
  }

  /** A generator seeded by FNV-1a over the key and topic, stable across JVMs. */
  private static SplittableRandom random(String key, String topic) {
    long hash = 0xcbf29ce484222325L;
    for (byte b : (key + '|' + topic).getBytes(StandardCharsets.UTF_8)) {
      hash ^= b & 0xff;
      hash *= 0x100000001b3L;
    }
    return new SplittableRandom(hash);
  }
}
