package cn.govgate.sim.citizens;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Deterministic synthetic citizens: the same {@code (count, seed)} always yields the same list, and
 * a shorter list is a prefix of a longer one with the same seed. ID numbers are valid GB 11643
 * numbers in the districts of Hangzhou ({@value #HANGZHOU}) and Chengdu ({@value #CHENGDU}), all
 * distinct; names are random combinations of common surnames and given-name characters, not real
 * people.
 */
public final class SyntheticCitizens {

  public static final String HANGZHOU = "330100";
  public static final String CHENGDU = "510100";

  /** The city-level regions citizens live in. */
  public static final List<String> REGIONS = List.of(HANGZHOU, CHENGDU);

  private static final List<String> HANGZHOU_DISTRICTS =
      List.of("330102", "330105", "330106", "330108", "330109", "330110");
  private static final List<String> CHENGDU_DISTRICTS =
      List.of("510104", "510105", "510106", "510107", "510108", "510112");

  private static final String SURNAMES =
      "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡"
          + "余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯"
          + "龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤";
  private static final String GIVEN_CHARS =
      "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红建文辉力斌宇浩凯晨俊峰云雪琳晶欣怡博涵宁思嘉" + "子轩梓睿雨彤佳悦航瑞鑫昊天泽逸然可馨诗琪晓东海波志新春兰梅亮凤荣婷慧颖雅倩";
  private static final String[] PHONE_PREFIXES = {
    "139", "138", "137", "158", "186", "189", "177", "199"
  };

  private static final LocalDate OLDEST = LocalDate.of(1950, 1, 1);
  private static final int BIRTH_DAYS_SPAN =
      (int) (LocalDate.of(2005, 12, 31).toEpochDay() - OLDEST.toEpochDay());

  private SyntheticCitizens() {}

  /** {@code count} distinct citizens from {@code seed}; 10,000 take a few milliseconds. */
  public static List<SyntheticCitizen> generate(int count, long seed) {
    if (count < 0) {
      throw new IllegalArgumentException("count must be >= 0");
    }
    SplittableRandom random = new SplittableRandom(seed);
    List<SyntheticCitizen> citizens = new ArrayList<>(count);
    Set<String> seenIds = new HashSet<>(count * 2);
    Set<String> seenPhones = new HashSet<>(count * 2);
    while (citizens.size() < count) {
      SyntheticCitizen citizen = next(random);
      if (seenIds.add(citizen.idNumber()) && seenPhones.add(citizen.phone())) {
        citizens.add(citizen);
      }
    }
    return List.copyOf(citizens);
  }

  private static SyntheticCitizen next(SplittableRandom random) {
    String homeRegion = REGIONS.get(random.nextInt(REGIONS.size()));
    List<String> districts = HANGZHOU.equals(homeRegion) ? HANGZHOU_DISTRICTS : CHENGDU_DISTRICTS;
    String district = districts.get(random.nextInt(districts.size()));
    LocalDate birthDate = OLDEST.plusDays(random.nextInt(BIRTH_DAYS_SPAN + 1));
    int sequence = random.nextInt(1000);
    String idNumber = ResidentIds.generate(district, birthDate, sequence);
    SyntheticCitizen.Gender gender =
        sequence % 2 == 1 ? SyntheticCitizen.Gender.MALE : SyntheticCitizen.Gender.FEMALE;
    return new SyntheticCitizen(
        idNumber, name(random), birthDate, gender, phone(random), homeRegion);
  }

  private static String name(SplittableRandom random) {
    StringBuilder name =
        new StringBuilder().append(SURNAMES.charAt(random.nextInt(SURNAMES.length())));
    int givenLength = random.nextInt(10) < 3 ? 1 : 2;
    for (int i = 0; i < givenLength; i++) {
      name.append(GIVEN_CHARS.charAt(random.nextInt(GIVEN_CHARS.length())));
    }
    return name.toString();
  }

  private static String phone(SplittableRandom random) {
    return PHONE_PREFIXES[random.nextInt(PHONE_PREFIXES.length)]
        + String.format(Locale.ROOT, "%08d", random.nextInt(100_000_000));
  }
}
