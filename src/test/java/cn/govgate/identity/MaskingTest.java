package cn.govgate.identity;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MaskingTest {

  @Test
  void keepsTheSurnameAndHidesTheGivenName() {
    assertThat(Masking.maskName("张三丰")).isEqualTo("张**");
    assertThat(Masking.maskName("李四")).isEqualTo("李*");
    assertThat(Masking.maskName(" 王 ")).isEqualTo("*");
  }

  @Test
  void keepsBothCharactersOfACompoundSurname() {
    assertThat(Masking.maskName("欧阳修")).isEqualTo("欧阳*");
    assertThat(Masking.maskName("欧阳")).isEqualTo("欧*");
  }

  @Test
  void masksEmptyNamesToEmpty() {
    assertThat(Masking.maskName(null)).isEmpty();
    assertThat(Masking.maskName("  ")).isEmpty();
  }

  @Test
  void keepsThreeAndFourDigitsOfAMobileNumber() {
    assertThat(Masking.maskPhone("13812345678")).isEqualTo("138****5678");
    assertThat(Masking.maskPhone("+86 138-1234-5678")).isEqualTo("138****5678");
    assertThat(Masking.maskPhone("8613812345678")).isEqualTo("138****5678");
  }

  @Test
  void keepsOnlyTheLastFourOfOtherNumbers() {
    assertThat(Masking.maskPhone("057187654321")).isEqualTo("********4321");
    assertThat(Masking.maskPhone("12345")).isEqualTo("*****");
  }
}
