package io.copeplatform.review;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import org.junit.jupiter.api.Test;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;

/** The layering of CONVENTIONS.md, enforced rather than hoped for. */
class LayeringTest {

    private static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.copeplatform.review");

    @Test
    void domainAndStatisticsDependOnNoFrameworkAndNoGeneratedApi() {
        noClasses().that().resideInAnyPackage("..review.domain..", "..review.stats..")
                .should().dependOnClassesThat()
                .resideInAnyPackage("io.copeplatform.api..", "io.quarkus..", "io.grpc..", "jakarta..",
                        "io.smallrye..", "java.sql..", "org.apache.kafka..", "..review.service..",
                        "..review.repository..")
                .check(CLASSES);
    }

    @Test
    void serviceLogicNeverSeesGrpcOrGeneratedTypes() {
        noClasses().that().resideInAPackage("..review.service..")
                .should().dependOnClassesThat()
                .resideInAnyPackage("io.copeplatform.api..", "io.grpc..", "..review.grpc..", "..review.mapping..",
                        "org.apache.kafka..")
                .check(CLASSES);
    }

    @Test
    void adaptersDoNotTouchStorageDirectly() {
        noClasses().that().resideInAnyPackage("..review.grpc..", "..review.messaging..", "..review.console..",
                "..review.security..")
                .should().dependOnClassesThat()
                .haveSimpleName("TaskRepository")
                .orShould().dependOnClassesThat().haveSimpleName("StatsRepository")
                .orShould().dependOnClassesThat().haveSimpleName("Transactions")
                .because("adapters go through service/ (transactions, validation, audit, events)")
                .check(CLASSES);
    }

    @Test
    void consoleAndGrpcAdaptersAreIndependentAndShareOnlyTheServiceAndTheIdentityMapping() {
        noClasses().that().resideInAPackage("..review.console..")
                .should().dependOnClassesThat()
                .resideInAnyPackage("..review.grpc..", "..review.messaging..", "..review.repository..", "java.sql..",
                        "io.grpc..")
                .check(CLASSES);
        noClasses().that().resideInAPackage("..review.grpc..")
                .should().dependOnClassesThat().resideInAPackage("..review.console..")
                .check(CLASSES);
    }

    @Test
    void grpcAdapterDoesNotReachIntoMessagingOrRepositories() {
        noClasses().that().resideInAPackage("..review.grpc..")
                .should().dependOnClassesThat()
                .resideInAnyPackage("..review.messaging..", "java.sql..", "io.agroal..")
                .check(CLASSES);
    }
}
