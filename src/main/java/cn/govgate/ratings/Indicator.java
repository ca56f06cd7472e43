package cn.govgate.ratings;

import java.util.Arrays;
import java.util.Optional;

/**
 * The evaluation indicators (评价指标) a rating may name, after the second-level indicators of the
 * national online and offline rating content (GB/T 39734-2020 and the provincial specifications
 * that reproduce it). The set is fixed and versioned ({@link #VERSION}): indicators may not be
 * added or removed without a new version.
 */
public enum Indicator {
  /** 办事效率: how quickly the matter was handled. */
  EFFICIENCY("efficiency", "办事效率"),
  /** 办事指南精确度: whether the guide was accurate and complete. */
  GUIDE_ACCURACY("guide_accuracy", "办事指南精确度"),
  /** 办事便捷度: how convenient it was (steps, materials, trips). */
  CONVENIENCE("convenience", "办事便捷度"),
  /** 平台操作性: how easy the platform (mini-program) was to use. */
  USABILITY("usability", "平台操作性"),
  /** 服务态度: attitude of the service. */
  ATTITUDE("attitude", "服务态度"),
  /** 服务水平: quality of the service. */
  QUALITY("quality", "服务水平"),
  /** 信息公开: whether information (status, progress, results) was disclosed. */
  TRANSPARENCY("transparency", "信息公开");

  /** Version of the indicator set. */
  public static final String VERSION = "govgate-2026.1";

  private final String code;
  private final String label;

  Indicator(String code, String label) {
    this.code = code;
    this.label = label;
  }

  /** The wire code, e.g. {@code efficiency}. */
  public String code() {
    return code;
  }

  /** The Chinese name, e.g. 办事效率. */
  public String label() {
    return label;
  }

  public static Optional<Indicator> ofCode(String code) {
    return Arrays.stream(values()).filter(i -> i.code.equals(code)).findFirst();
  }
}
