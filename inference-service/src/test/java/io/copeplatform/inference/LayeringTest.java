package io.copeplatform.inference;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import org.junit.jupiter.api.Test;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;

/** engine/ is plain Java: it must stay usable without Quarkus, gRPC or the generated API. */
class LayeringTest {

    private static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.copeplatform.inference");

    @Test
    void engineHasNoFrameworkProtocolOrApiImports() {
        noClasses().that().resideInAPackage("..inference.engine..")
                .should().dependOnClassesThat()
                .resideInAnyPackage("io.quarkus..", "io.grpc..", "io.copeplatform.api..", "jakarta..",
                        "io.smallrye..", "io.vertx..", "org.apache.kafka..")
                .allowEmptyShould(false)
                .check(CLASSES);
    }
}
