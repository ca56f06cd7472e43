package cn.govgate.audit;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AsyncAppenderBase;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.read.ListAppender;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** Personal data logged on purpose comes out masked through the real logback.xml encoder. */
class PersonalDataMaskerTest {

  @Test
  void idNumbersPhonesAndTokensLoggedOnPurposeComeOutMasked() {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    @SuppressWarnings("unchecked")
    AsyncAppenderBase<ILoggingEvent> async =
        (AsyncAppenderBase<ILoggingEvent>) root.getAppender("ASYNC");
    @SuppressWarnings("unchecked")
    OutputStreamAppender<ILoggingEvent> json =
        (OutputStreamAppender<ILoggingEvent>) async.getAppender("JSON");

    ListAppender<ILoggingEvent> captured = new ListAppender<>();
    captured.setContext(context);
    captured.start();
    Logger logger = context.getLogger("masking-test");
    logger.addAppender(captured);
    try {
      logger.info(
          "citizen 33010619900307123X phone 13812345678 header Bearer abc.def-ghi_123 id={}",
          "510104198512120016");
      logger.info(
          "token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl and request 0123456789abcdef0123");
    } finally {
      logger.detachAppender(captured);
    }

    String first =
        new String(json.getEncoder().encode(captured.list.get(0)), StandardCharsets.UTF_8);
    assertThat(first)
        .doesNotContain("33010619900307123X")
        .contains("330106********123X")
        .doesNotContain("510104198512120016")
        .contains("510104********0016")
        .doesNotContain("13812345678")
        .contains("138****5678")
        .doesNotContain("abc.def-ghi_123")
        .contains("Bearer [masked]");
    String second =
        new String(json.getEncoder().encode(captured.list.get(1)), StandardCharsets.UTF_8);
    assertThat(second)
        .doesNotContain("eyJhbGciOiJIUzI1NiJ9")
        .contains("[masked-jwt]")
        .contains("0123456789abcdef0123");
  }

  @Test
  void textWithoutPersonalDataIsLeftAlone() {
    String text = "order GOV20240513000001 of 88.50 yuan, request 9f86d081884c7d659a2feaa0c55ad015";
    assertThat(PersonalDataMasker.maskText(text)).isEqualTo(text);
  }
}
