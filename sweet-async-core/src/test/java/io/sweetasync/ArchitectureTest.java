package io.sweetasync;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** Core is plain Java: users of the engine pull in nothing else. */
class ArchitectureTest {

    private final JavaClasses core = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.sweetasync");

    @Test
    void coreDependsOnNoFrameworks() {
        noClasses().should().dependOnClassesThat().resideInAnyPackage(
                "org.springframework..", "io.micrometer..", "org.aspectj..", "reactor..", "com.fasterxml..",
                "tools.jackson..", "org.slf4j..")
                .because("sweet-async-core has no runtime dependencies (SPEC §0)")
                .check(core);
    }

    @Test
    void importedTheEngineItself() {
        // Guards the rule above against passing vacuously on an empty import.
        org.assertj.core.api.Assertions.assertThat(core.contain(TaskOrchestrator.class)).isTrue();
    }
}
