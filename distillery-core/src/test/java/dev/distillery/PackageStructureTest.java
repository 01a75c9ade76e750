package dev.distillery;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The package rules of docs/ARCHITECTURE.md, checked on the compiled classes: packages form no cycle (so each can be
 * read, tested and changed from the ones below it), and core never reaches the CLI or Spark modules.
 */
class PackageStructureTest {
    private static JavaClasses core;

    @BeforeAll
    static void importCore() {
        core = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.distillery");
    }

    @Test
    void corePackagesFormNoCycle() {
        // Generated protobuf classes (onnx) are outside dev.distillery and so outside the rule.
        slices().matching("dev.distillery.(*)..").should().beFreeOfCycles().check(core);
    }

    @Test
    void coreKnowsNothingOfTheCliOrSpark() {
        noClasses().that().resideInAPackage("dev.distillery..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.distillery.cli..", "dev.distillery.spark..", "picocli..", "org.apache.spark..")
                .check(core);
    }
}
