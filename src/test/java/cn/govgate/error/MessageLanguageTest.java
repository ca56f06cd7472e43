package cn.govgate.error;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MessageLanguageTest {

  @Test
  void chineseWithoutAHeaderOrWithoutEnglish() {
    assertThat(MessageLanguage.fromAcceptLanguage(null)).isEqualTo(MessageLanguage.ZH);
    assertThat(MessageLanguage.fromAcceptLanguage("")).isEqualTo(MessageLanguage.ZH);
    assertThat(MessageLanguage.fromAcceptLanguage("zh-CN,zh;q=0.9")).isEqualTo(MessageLanguage.ZH);
    assertThat(MessageLanguage.fromAcceptLanguage("fr-FR, de;q=0.5")).isEqualTo(MessageLanguage.ZH);
    assertThat(MessageLanguage.fromAcceptLanguage("*")).isEqualTo(MessageLanguage.ZH);
  }

  @Test
  void englishForEnOrAnyEnRange() {
    assertThat(MessageLanguage.fromAcceptLanguage("en")).isEqualTo(MessageLanguage.EN);
    assertThat(MessageLanguage.fromAcceptLanguage("en-US")).isEqualTo(MessageLanguage.EN);
    assertThat(MessageLanguage.fromAcceptLanguage("EN-gb")).isEqualTo(MessageLanguage.EN);
    assertThat(MessageLanguage.fromAcceptLanguage("fr, en;q=0.3")).isEqualTo(MessageLanguage.EN);
  }

  @Test
  void qValuesDecideBetweenChineseAndEnglish() {
    assertThat(MessageLanguage.fromAcceptLanguage("zh-CN;q=0.4, en-US;q=0.8"))
        .isEqualTo(MessageLanguage.EN);
    assertThat(MessageLanguage.fromAcceptLanguage("en;q=0.5, zh;q=0.9"))
        .isEqualTo(MessageLanguage.ZH);
    assertThat(MessageLanguage.fromAcceptLanguage("zh-TW, en;q=0.9")).isEqualTo(MessageLanguage.ZH);
    assertThat(MessageLanguage.fromAcceptLanguage("en-US, zh;q=0.9")).isEqualTo(MessageLanguage.EN);
  }

  @Test
  void englishRefusedWithQZeroIsNotChosen() {
    assertThat(MessageLanguage.fromAcceptLanguage("en;q=0")).isEqualTo(MessageLanguage.ZH);
    assertThat(MessageLanguage.fromAcceptLanguage("en;q=0, fr")).isEqualTo(MessageLanguage.ZH);
  }

  @Test
  void equalWeightsKeepTheHeadersOrder() {
    assertThat(MessageLanguage.fromAcceptLanguage("en;q=0.5, zh;q=0.5"))
        .isEqualTo(MessageLanguage.EN);
    assertThat(MessageLanguage.fromAcceptLanguage("zh;q=0.5, en;q=0.5"))
        .isEqualTo(MessageLanguage.ZH);
  }

  @Test
  void aHeaderThatDoesNotParseGetsChinese() {
    assertThat(MessageLanguage.fromAcceptLanguage("en;q=2")).isEqualTo(MessageLanguage.ZH);
    assertThat(MessageLanguage.fromAcceptLanguage("en;q=abc")).isEqualTo(MessageLanguage.ZH);
    assertThat(MessageLanguage.fromAcceptLanguage(";;;")).isEqualTo(MessageLanguage.ZH);
  }
}
