package dev.switchboard.scheduler;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

class ArchitectureTest {
    private final JavaClasses classes = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.switchboard.scheduler");

    @Test
    void frameworkContractsImportNoFramework() {
        noClasses().that().resideInAPackage("dev.switchboard.scheduler.framework..")
                .should().dependOnClassesThat().resideInAnyPackage("org.springframework..", "com.alibaba..", "reactor..",
                        "io.netty..", "tools.jackson..", "io.micrometer..")
                .because("scheduling contracts run unchanged inside bench's virtual-time replay")
                .check(classes);
    }

    @Test
    void schedulingCycleIsFrameworkFree() {
        noClasses().that().haveSimpleName("SchedulingCycle").or().haveSimpleName("CycleResult")
                .should().dependOnClassesThat().resideInAnyPackage("org.springframework..", "reactor..", "io.micrometer..")
                .because("the cycle is a pure function of request and snapshot")
                .check(classes);
    }
}
