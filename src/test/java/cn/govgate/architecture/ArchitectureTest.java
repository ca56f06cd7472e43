package cn.govgate.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The rules of STYLE.md that a reviewer would otherwise have to remember: nothing in main code blocks an event
 * loop with the usual suspects, JDBC stays in the storage concern (start-up migrations), and the channel adapters
 * never reach into the gateway.
 */
class ArchitectureTest {
  private static JavaClasses main;

  @BeforeAll
  static void importMainClasses() {
    main = new ClassFileImporter()
        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_JARS)
        .importPackages("cn.govgate");
  }

  @Test
  void mainCodeNeverSleeps() {
    noClasses().should().callMethod(Thread.class, "sleep", long.class)
        .because("a sleeping event loop stops every request it serves; use Vert.x timers")
        .check(main);
  }

  @Test
  void mainCodeUsesVertxFuturesNotCompletableFutures() {
    noClasses().should().dependOnClassesThat().haveFullyQualifiedName("java.util.concurrent.CompletableFuture")
        .because("every method that can wait returns a Vert.x Future (STYLE.md, Asynchrony)")
        .check(main);
  }

  @Test
  void onlyTheStorageConcernTouchesJdbc() {
    noClasses().that().resideOutsideOfPackage("cn.govgate.store..")
        .should().dependOnClassesThat().resideInAPackage("java.sql..")
        .because("JDBC blocks; it is used only for Flyway migrations at start-up, the pool is vertx-pg-client")
        .check(main);
  }

  @Test
  void onlyTheCompositionRootAndCommandsAwaitFutures() {
    noClasses().that().resideOutsideOfPackage("cn.govgate.app..")
        .should().callMethod(io.vertx.core.Future.class, "await")
        .orShould().callMethod(io.vertx.core.Future.class, "await", long.class, java.util.concurrent.TimeUnit.class)
        .because("await blocks the calling thread; only main() and operator commands may wait")
        .check(main);
  }

  @Test
  void channelAdaptersNeverDependOnTheGateway() {
    noClasses().that().resideInAPackage("cn.govgate.channel..")
        .should().dependOnClassesThat().resideInAnyPackage("cn.govgate.app..", "cn.govgate.http..",
            "cn.govgate.identity..", "cn.govgate.registry..", "cn.govgate.services..", "cn.govgate.store..")
        .check(main);
  }

  @Test
  void theChannelSpiExposesNoVendorTypes() {
    noClasses().that().resideInAPackage("cn.govgate.channel.spi..")
        .should().dependOnClassesThat().resideInAnyPackage("cn.govgate.channel.alipay..",
            "cn.govgate.channel.wechat..", "com.alipay..", "com.wechat.pay..", "me.chanjar..", "cn.binarywang..")
        .check(main);
  }
}
