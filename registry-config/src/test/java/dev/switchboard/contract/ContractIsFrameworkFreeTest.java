package dev.switchboard.contract;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

class ContractIsFrameworkFreeTest {
    @Test
    void contractImportsNoFramework() {
        var classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.switchboard.contract");
        noClasses().should().dependOnClassesThat()
                .resideInAnyPackage("org.springframework..", "com.alibaba..", "reactor..", "io.netty..",
                        "com.fasterxml.jackson..", "tools.jackson..", "jakarta..")
                .because("the contract is shared by every service and must stay framework-free")
                .check(classes);
    }
}
