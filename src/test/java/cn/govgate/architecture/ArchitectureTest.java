package cn.govgate.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The rules a reviewer would otherwise have to remember: the gateway's package directions
 * (foundation below the concerns below the composition root, no cycles), nothing of the demo, the
 * simulators or embedded PostgreSQL in the gateway's code, nothing in main code that blocks an
 * event loop with the usual suspects, JDBC only in the storage concern (start-up migrations), and
 * channel adapters that never reach into the gateway.
 */
class ArchitectureTest {
  /**
   * The concerns built on identity and the registry: every package of the gateway that is neither
   * the foundation, nor identity or the registry, nor the composition root ({@link
   * #everyPackageIsFoundationConcernOrRoot} keeps this list whole).
   */
  private static final String[] SERVICE_CONCERNS = {
    "cn.govgate.services..",
    "cn.govgate.ratings..",
    "cn.govgate.certificates..",
    "cn.govgate.payments..",
    "cn.govgate.complaints..",
    "cn.govgate.supervision..",
    "cn.govgate.reminders..",
    "cn.govgate.cases..",
    "cn.govgate.partners.."
  };

  /** Every concern: identity, the registry and the service concerns. */
  private static final String[] CONCERNS =
      Stream.concat(
              Stream.of("cn.govgate.identity..", "cn.govgate.registry.."),
              Stream.of(SERVICE_CONCERNS))
          .toArray(String[]::new);

  /** The foundation: below every concern. */
  private static final String[] FOUNDATION = {
    "cn.govgate.error..",
    "cn.govgate.config..",
    "cn.govgate.http..",
    "cn.govgate.audit..",
    "cn.govgate.store..",
    "cn.govgate.resilience..",
    "cn.govgate.calendar..",
    "cn.govgate.crypto..",
    "cn.govgate.tracing.."
  };

  /** The gateway's own classes (this module's build output), not the simulators its tests use. */
  private static JavaClasses main;

  /** The channel SPI and adapters, from their modules' build output. */
  private static JavaClasses channels;

  @BeforeAll
  static void importMainClasses() {
    main = new ClassFileImporter().importPath(Path.of("target", "classes"));
    List<Path> adapters =
        List.of("spi", "alipay", "wechat").stream()
            .map(m -> Path.of("..", "channel-adapters", m, "target", "classes"))
            .filter(Files::isDirectory)
            .toList();
    channels = new ClassFileImporter().importPaths(adapters);
  }

  @Test
  void theGatewayHoldsNothingOfTheDemoTheSimulatorsOrEmbeddedPostgres() {
    noClasses()
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "cn.govgate.demo..",
            "cn.govgate.sim..",
            "cn.govgate.channel.alipay.sim..",
            "cn.govgate.channel.wechat.sim..",
            "cn.govgate.testing..",
            "io.zonky..")
        .because(
            "what a city deploys must not contain a fake payment platform or a demo (the demo and the"
                + " simulators are modules of their own under ops/ and channel-adapters/)")
        .check(main);
    noClasses()
        .should()
        .resideInAnyPackage("cn.govgate.demo..", "cn.govgate.sim..", "..sim..")
        .check(main);
  }

  @Test
  void gatewayPackagesFormNoCycles() {
    slices().matching("cn.govgate.(*)..").should().beFreeOfCycles().check(main);
  }

  @Test
  void theCompositionRootIsOnTop() {
    noClasses()
        .that()
        .resideOutsideOfPackage("cn.govgate.app..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("cn.govgate.app..")
        .because("concerns are wired by app, never the other way round")
        .check(main);
  }

  @Test
  void theErrorCatalogueIsTheBottomFloor() {
    noClasses()
        .that()
        .resideInAPackage("cn.govgate.error..")
        .should()
        .dependOnClassesThat(
            JavaClass.Predicates.resideInAPackage("cn.govgate..")
                .and(JavaClass.Predicates.resideOutsideOfPackage("cn.govgate.error..")))
        .because(
            "every package raises catalogue errors, so the catalogue depends on no other govgate package")
        .check(main);
  }

  @Test
  void theFoundationNeverDependsOnTheConcerns() {
    noClasses()
        .that()
        .resideInAnyPackage(FOUNDATION)
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(CONCERNS)
        .because(
            "configuration, HTTP plumbing, audit, storage and resilience sit below every concern")
        .check(main);
  }

  @Test
  void everyPackageIsFoundationConcernOrRoot() {
    Set<String> layered =
        Stream.concat(Stream.of(FOUNDATION), Stream.of(CONCERNS))
            .map(p -> p.substring("cn.govgate.".length(), p.length() - 2))
            .collect(Collectors.toCollection(TreeSet::new));
    layered.add("app");
    Set<String> packages =
        main.stream()
            .map(JavaClass::getPackageName)
            .filter(p -> p.startsWith("cn.govgate."))
            .map(p -> p.substring("cn.govgate.".length()).split("\\.")[0])
            .collect(Collectors.toCollection(TreeSet::new));
    assertThat(packages)
        .as("a new top-level package joins the foundation or the concerns of the rules above")
        .isEqualTo(layered);
  }

  @Test
  void identityAndTheRegistryNeverDependOnTheServiceConcerns() {
    noClasses()
        .that()
        .resideInAnyPackage("cn.govgate.identity..", "cn.govgate.registry..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(SERVICE_CONCERNS)
        .because(
            "the service concerns use identity (who calls) and the registry (which department); not back")
        .check(main);
  }

  @Test
  void mainCodeNeverSleeps() {
    noClasses()
        .should()
        .callMethod(Thread.class, "sleep", long.class)
        .because("a sleeping event loop stops every request it serves; use Vert.x timers")
        .check(main);
  }

  @Test
  void mainCodeUsesVertxFuturesNotCompletableFutures() {
    noClasses()
        .should()
        .dependOnClassesThat()
        .haveFullyQualifiedName("java.util.concurrent.CompletableFuture")
        .because(
            "every method that can wait returns a Vert.x Future, composed on the event loop that"
                + " started it")
        .check(main);
  }

  @Test
  void onlyTheStorageConcernTouchesJdbc() {
    noClasses()
        .that()
        .resideOutsideOfPackage("cn.govgate.store..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("java.sql..")
        .because(
            "JDBC blocks; it is used only for Flyway migrations at start-up, the pool is vertx-pg-client")
        .check(main);
  }

  @Test
  void onlyTheCompositionRootAndCommandsAwaitFutures() {
    noClasses()
        .that()
        .resideOutsideOfPackage("cn.govgate.app..")
        .should()
        .callMethod(io.vertx.core.Future.class, "await")
        .orShould()
        .callMethod(
            io.vertx.core.Future.class, "await", long.class, java.util.concurrent.TimeUnit.class)
        .because("await blocks the calling thread; only main() and operator commands may wait")
        .check(main);
  }

  @Test
  void channelAdaptersNeverDependOnTheGateway() {
    noClasses()
        .that()
        .resideInAPackage("cn.govgate.channel..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "cn.govgate.app..",
            "cn.govgate.http..",
            "cn.govgate.identity..",
            "cn.govgate.registry..",
            "cn.govgate.services..",
            "cn.govgate.store..")
        .check(channels);
  }

  @Test
  void theChannelSpiExposesNoVendorTypes() {
    noClasses()
        .that()
        .resideInAPackage("cn.govgate.channel.spi..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "cn.govgate.channel.alipay..",
            "cn.govgate.channel.wechat..",
            "com.alipay..",
            "com.wechat.pay..",
            "me.chanjar..",
            "cn.binarywang..")
        .check(channels);
  }
}
