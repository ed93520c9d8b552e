package io.copeplatform.registry;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import org.junit.jupiter.api.Test;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;

/** The layering of CONVENTIONS.md, enforced rather than hoped for. */
class LayeringTest {

    private static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.copeplatform.registry");

    @Test
    void domainLintAndDiffDependOnNoFrameworkAndNoGeneratedApi() {
        noClasses().that().resideInAnyPackage("..registry.domain..", "..registry.lint..", "..registry.diff..")
                .should().dependOnClassesThat()
                .resideInAnyPackage("io.copeplatform.api..", "io.quarkus..", "io.grpc..", "jakarta..",
                        "io.smallrye..")
                .check(CLASSES);
    }

    @Test
    void serviceLogicNeverSeesGrpcOrRestTypes() {
        noClasses().that().resideInAPackage("..registry.service..")
                .should().dependOnClassesThat()
                .resideInAnyPackage("io.copeplatform.api..", "io.grpc..", "jakarta.ws.rs..",
                        "..registry.grpc..", "..registry.rest..")
                .check(CLASSES);
    }

    @Test
    void adaptersDoNotTouchStorageDirectly() {
        // Adapters may read entities the service returns (to map them), but never query or persist.
        noClasses().that().resideInAnyPackage("..registry.grpc..", "..registry.rest..")
                .should().dependOnClassesThat()
                .resideInAnyPackage("io.quarkus.hibernate..", "io.vertx.mutiny.sqlclient..",
                        "org.hibernate..")
                .orShould().dependOnClassesThat().haveSimpleName("PolicyResolver")
                .because("adapters go through service/ (transactions, validation, events)")
                .check(CLASSES);
    }
}
