package dev.distillery.ui;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard in a real browser: Debian's headless Chromium through its chromedriver (installed by .ci/run; the README
 * names them). Screenshots of every page go to target/ui-screenshots for a person to look at.
 */
class DashboardBrowserTest {
    private static final Path CHROMIUM = Path.of(System.getProperty("chromium.binary", "/usr/bin/chromium"));
    private static final Path DRIVER = Path.of(System.getProperty("chromedriver.binary", "/usr/bin/chromedriver"));
    private static final Path SCREENSHOTS = Path.of("target/ui-screenshots");

    @TempDir
    static Path home;
    private static UiServer server;
    private static WebDriver browser;

    @BeforeAll
    static void start() throws Exception {
        assertThat(CHROMIUM).as("the browser tests need Debian's chromium and chromium-driver (apt-get install chromium "
                + "chromium-driver; .ci/run installs them)").isExecutable();
        assertThat(DRIVER).isExecutable();
        server = UiServer.start(UiFixture.write(home), new UiServer.Settings("127.0.0.1", 0, null));
        ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM.toFile())
                .addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1280,1000");
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        browser = new ChromeDriver(new ChromeDriverService.Builder().usingDriverExecutable(DRIVER.toFile()).usingAnyFreePort().build(), options);
        Files.createDirectories(SCREENSHOTS);
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (server != null) {
            server.close();
        }
    }

    private static String url(String path) {
        return "http://localhost:" + server.port() + path;
    }

    /** Waits up to 10 s for {@code condition} (the page's scripts draw and save asynchronously). */
    private static void until(java.util.function.Function<org.openqa.selenium.WebDriver, Boolean> condition) {
        new WebDriverWait(browser, Duration.ofSeconds(10)).ignoring(org.openqa.selenium.StaleElementReferenceException.class)
                .until(condition::apply);
    }

    /** Fails unless {@code selector} appears within 10 s: uPlot draws after the page has loaded. */
    private static void assertAppears(String selector, String what) {
        try {
            until(d -> !d.findElements(By.cssSelector(selector)).isEmpty());
        } catch (org.openqa.selenium.TimeoutException e) {
            throw new AssertionError(what + ": no " + selector + " within 10 s", e);
        }
    }

    /** Opens {@code path}, saves a screenshot, and returns the console errors the page logged. */
    private static List<String> visit(String path, String screenshot) throws Exception {
        browser.get(url(path));
        until(d -> ((org.openqa.selenium.JavascriptExecutor) d)
                .executeScript("return document.readyState").equals("complete"));
        Files.write(SCREENSHOTS.resolve(screenshot + ".png"), ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
        return browser.manage().logs().get(LogType.BROWSER).getAll().stream().filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue())
                .map(LogEntry::getMessage).toList();
    }

    @Test
    void everyPageLoadsWithoutConsoleErrors() throws Exception {
        List<String> pages = List.of("/", "/runs/" + UiFixture.TRAIN_A, "/compare?run=" + UiFixture.TRAIN_A + "&run=" + UiFixture.TRAIN_B,
                "/runs/" + UiFixture.DISTILL, "/runs/" + UiFixture.ISSUES + "/issues", "/runs/" + UiFixture.CURATE + "/removed",
                "/runs/" + UiFixture.SYNTH + "/removed", "/recipes", "/recipes/demo", "/recipes/demo/report", "/projects", "/projects/demo");
        for (String page : pages) {
            List<String> errors = visit(page, page.replaceAll("[^A-Za-z0-9]+", "_"));
            assertThat(errors).as("console errors on " + page).isEmpty();
            assertThat(browser.getTitle()).as(page).doesNotStartWith("Error");
        }
        browser.get(url("/runs/" + UiFixture.TRAIN_A));
        assertAppears(".uplot", "uPlot drew the run's curves");
        browser.get(url("/runs/" + UiFixture.CURATE + "/removed"));
        assertThat(browser.getPageSource()).contains("too few words").doesNotContain(UiFixture.SECRET_EMAIL);
    }

    @Test
    void theHomePageListsRunsWithoutJavaScriptToo() throws Exception {
        String html = new String(new java.net.URL(url("/")).openStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(html).contains(UiFixture.TRAIN_A, UiFixture.TRAIN_B, "0.8123", "0.8456", "label issues");
        String filtered = new String(new java.net.URL(url("/?q=distill")).openStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(filtered).contains(UiFixture.DISTILL).doesNotContain(UiFixture.TRAIN_A);
    }

    @Test
    void comparingTwoRunsShowsBothRunsNumbersAndTheirConfigurationDifference() throws Exception {
        visit("/", "home-before-compare");
        for (String id : List.of(UiFixture.TRAIN_A, UiFixture.TRAIN_B)) {
            browser.findElement(By.cssSelector("input[name=run][value='" + id + "']")).click();
        }
        browser.findElement(By.xpath("//button[contains(., 'Compare')]")).click();
        until(d -> d.getTitle().startsWith("Compare"));
        String metrics = browser.findElement(By.id("compare-metrics")).getText();
        assertThat(metrics).contains("0.8123", "0.8456");
        assertThat(browser.findElement(By.id("compare-config")).getText()).contains("model.dropout", "0.9", "0.5");
        assertAppears(".uplot", "uPlot drew both runs' curves");
        Files.write(SCREENSHOTS.resolve("compare.png"), ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
    }

    @Test
    void answeringALabelInThePageWritesTheAnswersFileLabelImportReads() throws Exception {
        visit("/projects/demo", "project-before");
        new Select(browser.findElement(By.cssSelector("select[data-id=m3]"))).selectByValue("ham");
        browser.findElement(By.id("save-answers")).click();
        until(d -> Files.exists(home.resolve("projects/demo/batch-001-answers.jsonl")));
        Path answers = home.resolve("projects/demo/batch-001-answers.jsonl");
        assertThat(Files.readAllLines(answers)).containsExactly("{\"id\":\"m3\",\"label\":\"ham\"}");
        // the file is what `label import` reads
        var project = dev.distillery.label.LabelingProject.openOrCreate(home.resolve("projects/demo"), null, null);
        assertThat(project.importAnswers(answers).added()).isEqualTo(1);
        assertThat(project.answers()).containsEntry("m3", "ham");
    }

    @Test
    void aRelabelInTheLabelIssuesPageAppearsInTheCorrectionsFile() throws Exception {
        visit("/runs/" + UiFixture.ISSUES + "/issues", "issues-before");
        new Select(browser.findElement(By.cssSelector("select[data-id=m1]"))).selectByValue("relabel:spam");
        new Select(browser.findElement(By.cssSelector("select[data-id=m2]"))).selectByValue("keep:");
        browser.findElement(By.id("save-corrections")).click();
        Path corrections = home.resolve("runs").resolve(UiFixture.ISSUES).resolve(ReviewPages.CORRECTIONS);
        until(d -> Files.exists(corrections));
        assertThat(Files.readAllLines(corrections)).containsExactly("{\"id\":\"m1\",\"action\":\"relabel\",\"label\":\"spam\"}",
                "{\"id\":\"m2\",\"action\":\"keep\"}");
        // and train --corrections applies it: m1 becomes spam, m2 stays as given
        var data = dev.distillery.data.JsonlFormat.read(home.resolve("data/mail.jsonl"), dev.distillery.data.OnError.FAIL).dataset();
        var applied = dev.distillery.data.Corrections.read(corrections).apply(data);
        assertThat(applied.relabeled()).isEqualTo(1);
        assertThat(applied.data().examples()).filteredOn(e -> e.id().equals("m1")).extracting(e -> e.label().orElseThrow()).containsExactly("spam");
        browser.navigate().refresh();
        assertThat(new Select(browser.findElement(By.cssSelector("select[data-id=m1]"))).getFirstSelectedOption().getText()).isEqualTo("accept: spam");
    }

    @Test
    void aRunningRecipesPageFollowsItsStateLive() throws Exception {
        visit("/recipes/demo", "recipe-running");
        assertThat(browser.findElement(By.id("dag-table")).getText()).contains("teacher", "student", "running");
        dev.distillery.util.AtomicFiles.writeString(home.resolve("recipes/demo/state.json"), UiFixture.state("finished"));
        until(d -> !d.findElement(By.id("dag-table")).getText().contains("running"));
        assertThat(browser.findElement(By.id("dag-table")).getText()).doesNotContain("running");
        Files.write(SCREENSHOTS.resolve("recipe-finished.png"), ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
        dev.distillery.util.AtomicFiles.writeString(home.resolve("recipes/demo/state.json"), UiFixture.state("running"));
    }
}
