package cn.govgate.demo;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The demo module's directions: the demo uses the gateway only through its public start API and
 * configuration (never its concerns' internals beyond what a client of the admin API would know),
 * the benchmark builds on the demo and not the other way round, and the department simulators know
 * nothing of the demo or the gateway.
 */
class DemoArchitectureTest {
  private static JavaClasses demo;
  private static JavaClasses departmentSimulators;

  @BeforeAll
  static void importClasses() {
    demo = new ClassFileImporter().importPath(Path.of("target", "classes"));
    departmentSimulators =
        new ClassFileImporter()
            .importPath(Path.of("..", "department-simulators", "target", "classes"));
  }

  @Test
  void theDemoFormsNoCyclesAndTheBenchmarkSitsOnTopOfIt() {
    // One slice per package, cn.govgate.demo itself included ("cn.govgate.demo.(**)" would leave
    // the launcher's own package out of every slice, and so out of the cycle check).
    slices().matching("cn.govgate.(**)").should().beFreeOfCycles().check(demo);
    noClasses()
        .that()
        .resideInAPackage("cn.govgate.demo")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("cn.govgate.demo.bench..")
        .check(demo);
  }

  @Test
  void theDemoStartsTheGatewayOnlyThroughItsPublicApi() {
    noClasses()
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "cn.govgate.store..",
            "cn.govgate.http..",
            "cn.govgate.services..",
            "cn.govgate.payments..",
            "cn.govgate.ratings..",
            "cn.govgate.certificates..",
            "cn.govgate.resilience..")
        .because(
            "the demo configures and starts the gateway like an operator would, and registers its"
                + " departments through the admin API over HTTP")
        .check(demo);
  }

  @Test
  void departmentSimulatorsKnowNeitherTheDemoNorTheGateway() {
    noClasses()
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "cn.govgate.demo..",
            "cn.govgate.app..",
            "cn.govgate.config..",
            "cn.govgate.http..",
            "cn.govgate.identity..",
            "cn.govgate.registry..",
            "cn.govgate.services..",
            "cn.govgate.store..")
        .because("a department implements the contract, not the gateway's code")
        .check(departmentSimulators);
  }
}
