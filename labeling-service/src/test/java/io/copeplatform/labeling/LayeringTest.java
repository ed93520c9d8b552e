package io.copeplatform.labeling;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import org.junit.jupiter.api.Test;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;

/** The layering of CONVENTIONS.md, enforced rather than hoped for. */
class LayeringTest {

    private static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.copeplatform.labeling");

    @Test
    void domainAndStatisticsDependOnNoFrameworkAndNoGeneratedApi() {
        noClasses().that().resideInAnyPackage("..labeling.domain..", "..labeling.stats..")
                .should().dependOnClassesThat()
                .resideInAnyPackage("io.copeplatform.api..", "io.quarkus..", "io.grpc..", "jakarta..",
                        "io.smallrye..", "java.sql..", "org.apache.kafka..", "java.net.http..",
                        "..labeling.service..", "..labeling.repository..", "..labeling.client..")
                .check(CLASSES);
    }

    @Test
    void serviceLogicNeverSeesGrpcKafkaOrGeneratedTypes() {
        noClasses().that().resideInAPackage("..labeling.service..")
                .should().dependOnClassesThat()
                .resideInAnyPackage("io.copeplatform.api..", "io.grpc..", "..labeling.grpc..", "..labeling.rest..",
                        "..labeling.mapping..", "org.apache.kafka..", "java.net.http..")
                .check(CLASSES);
    }

    @Test
    void inboundAdaptersDoNotTouchStorageOrOutboundClientsDirectly() {
        noClasses().that().resideInAnyPackage("..labeling.grpc..", "..labeling.rest..")
                .should().dependOnClassesThat()
                .resideInAnyPackage("..labeling.repository..", "java.sql..", "io.agroal..", "..labeling.client..",
                        "..labeling.messaging..")
                .because("adapters go through service/ (transactions, validation, events)")
                .check(CLASSES);
    }

    @Test
    void messagingWritesOnlyItsOutboxRowsAndNeverUsesRepositoriesOrClients() {
        // The outbox writer gets the caller's JDBC connection so the event commits with the state change.
        noClasses().that().resideInAPackage("..labeling.messaging..")
                .should().dependOnClassesThat()
                .resideInAnyPackage("..labeling.repository..", "..labeling.client..", "..labeling.grpc..")
                .check(CLASSES);
    }

    @Test
    void repositoriesDoNotCallOutboundClients() {
        noClasses().that().resideInAPackage("..labeling.repository..")
                .should().dependOnClassesThat()
                .resideInAnyPackage("..labeling.client..", "io.grpc..", "java.net.http..")
                .check(CLASSES);
    }
}
