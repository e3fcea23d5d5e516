package io.concierge.edge;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import io.concierge.gateway.discovery.Registration;
import io.concierge.gateway.server.GatewayServer;
import io.concierge.gateway.testing.Poll;
import io.concierge.gateway.testing.WireUpstream;
import io.helidon.webserver.WebServer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The web console in a real browser: Debian's headless Chromium, driven through Debian's
 * chromedriver, against a real mesh (edge and gateways on a Hazelcast registry). The page shows
 * the domains and their instances, a gateway stopped during the test turns DOWN on the page by
 * itself (polling), and a reload with a wrong token shows the edge's 401 refusal. A screenshot
 * is saved to {@code target/console.png} (and to {@code -Dconsole.screenshot=<path>} if given;
 * docs/console.png comes from here). Without the browser the test fails: install
 * {@code chromium chromium-driver} ({@code .ci/run} does).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsoleBrowserIT {
    private static final Duration MESH_WAIT = Duration.ofSeconds(60);
    private static final Duration PAGE_WAIT = Duration.ofSeconds(20);
    private static final Path CHROMIUM = Path.of(System.getProperty("console.chromium", "/usr/bin/chromium"));
    private static final Path CHROMEDRIVER = Path.of(System.getProperty("console.chromedriver",
            "/usr/bin/chromedriver"));

    private static MeshFixture mesh;
    private static MeshFixture.Member gateways;
    private static EdgeServer edge;
    private static GatewayServer users;
    private static GatewayServer ordersA;
    private static GatewayServer ordersB;
    private static WebDriver browser;

    @BeforeAll
    static void start() {
        if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)) {
            fail("the console's browser test needs Chromium and its driver at " + CHROMIUM + " and " + CHROMEDRIVER
                    + ": apt-get update && apt-get install -y chromium chromium-driver (as root; .ci/run does this)");
        }
        mesh = new MeshFixture();
        WebServer userService = mesh.upstream("user-service");
        WebServer orderService = mesh.upstream("order-service");
        edge = mesh.edge(mesh.member("edge"), null, k -> k.equals("ADMIN_TOKEN") ? "the-right-token" : null);
        gateways = mesh.member("gateways");
        users = mesh.gateway(gateways, "users", List.of("/api/users"), userService);
        ordersA = mesh.gateway(gateways, "orders", List.of("/api/orders"), orderService);
        ordersB = mesh.gateway(gateways, "orders", List.of("/api/orders"), orderService);
        Poll.until("the edge sees users and both orders instances", MESH_WAIT, () ->
                Integer.valueOf(1).equals(edge.liveInstances().get("users"))
                        && Integer.valueOf(2).equals(edge.liveInstances().get("orders")));
        browser = browser();
    }

    /** Chromium as installed by Debian, by explicit paths: no Selenium Manager, no download. */
    private static WebDriver browser() {
        System.setProperty("webdriver.chrome.driver", CHROMEDRIVER.toString());
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1400,1300", "--disable-extensions", "--no-first-run");
        return new ChromeDriver(service, options);
    }

    @AfterAll
    static void stop() {
        try {
            if (browser != null) {
                browser.quit();
            }
        } finally {
            if (mesh != null) {
                mesh.close();
            }
        }
    }

    private static WebDriverWait waitFor() {
        WebDriverWait w = new WebDriverWait(browser, PAGE_WAIT, Duration.ofMillis(100));
        w.ignoring(StaleElementReferenceException.class);
        return w;
    }

    private static By instanceRow(GatewayServer g) {
        return By.cssSelector("tr[data-instance='" + g.registration().instanceId() + "']");
    }

    @Test
    @Order(1)
    void showsTheMeshFollowsAStoppedGatewayAndShowsARefusedReload() throws Exception {
        for (int i = 0; i < 5; i++) {
            assertEquals(200, mesh.get(edge.port(), "/api/users/" + i).statusCode());
            assertEquals(200, mesh.get(edge.port(), "/api/orders/" + i).statusCode());
        }
        // Light steady traffic while the page is open, so it has rates to show.
        AtomicBoolean running = new AtomicBoolean(true);
        Thread traffic = Thread.ofVirtual().start(() -> {
            for (int i = 0; running.get(); i++) {
                mesh.get(edge.port(), (i % 2 == 0 ? "/api/users/" : "/api/orders/") + i);
                LockSupport.parkNanos(Duration.ofMillis(50).toNanos()); // pacing, not synchronisation
            }
        });
        try {
            checkThePage();
        } finally {
            running.set(false);
            traffic.join(Duration.ofSeconds(15));
        }
    }

    private void checkThePage() throws IOException {
        browser.get("http://127.0.0.1:" + edge.adminPort() + "/console");
        assertEquals("Concierge mesh console", browser.getTitle());

        waitFor().until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("section[data-domain='users']")));
        waitFor().until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("section[data-domain='orders']")));
        for (GatewayServer g : List.of(users, ordersA, ordersB)) {
            waitFor().until(ExpectedConditions.attributeToBe(instanceRow(g), "data-status", "UP"));
        }
        assertTrue(browser.findElement(By.cssSelector("section[data-domain='users'] [data-field='prefixes']"))
                .getText().contains("/api/users"));
        assertEquals("embedded", browser.findElement(By.cssSelector("[data-field='discovery-type']")).getText());
        waitFor().until(d -> d.findElement(By.cssSelector("section[data-domain='users'] [data-field='requestRate'] b"))
                .getText().matches("[0-9.]+/s") && !d.findElement(By.cssSelector(
                "section[data-domain='users'] [data-field='requestRate'] b")).getText().equals("0.00/s"));

        ordersB.close();
        waitFor().until(ExpectedConditions.attributeToBe(instanceRow(ordersB), "data-status", "DOWN"));
        waitFor().until(ExpectedConditions.attributeToBe(instanceRow(ordersA), "data-status", "UP"));
        waitFor().until(ExpectedConditions.attributeToBe(By.cssSelector("section[data-domain='orders']"),
                "data-status", "UP"));

        browser.findElement(By.id("token")).sendKeys("a-wrong-token");
        browser.findElement(By.id("reload-edge")).click();
        waitFor().until(ExpectedConditions.attributeToBe(By.id("action-result"), "data-status", "401"));
        String result = browser.findElement(By.id("action-result")).getText();
        assertTrue(result.contains("401") && result.contains("refused"), result);

        screenshot();
    }

    /**
     * Names in the state come from registrations and clients: markup in them must be shown as text,
     * never become elements (the page builds text nodes only). The registry refuses a domain with
     * markup and ids with spaces (RegistrationCheck), so the markup rides in what it lets through: an
     * instance id without spaces and the metadata's version.
     */
    @Test
    @Order(2)
    void markupInNamesIsShownAsTextNotRun() {
        String id = "<img/src=x/id=injected/onerror=document.title='owned'>";
        gateways.registry().register(new Registration(id, "evil", List.of("/api/evil"), "127.0.0.1",
                WireUpstream.closedPort(), WireUpstream.closedPort(), System.currentTimeMillis(), Map.of(
                "version", "<i id=italic>1</i>")));
        browser.get("http://127.0.0.1:" + edge.adminPort() + "/console");
        waitFor().until(d -> d.findElements(By.cssSelector("tr[data-status='DOWN']")).stream()
                .anyMatch(row -> row.getText().contains(id)));
        assertTrue(browser.findElements(By.id("injected")).isEmpty(), "an img element was created from a name");
        assertTrue(browser.findElements(By.id("italic")).isEmpty(), "an i element was created from the version");
        assertTrue(browser.getPageSource().contains("&lt;i id=italic&gt;1&lt;/i&gt;"), "the version is shown as text");
        assertEquals("Concierge mesh console", browser.getTitle());
    }

    private static void screenshot() throws IOException {
        Path shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE).toPath();
        Path target = Path.of("target", "console.png");
        Files.createDirectories(target.getParent());
        Files.copy(shot, target, StandardCopyOption.REPLACE_EXISTING);
        String extra = System.getProperty("console.screenshot");
        if (extra != null && !extra.isBlank()) {
            Files.copy(shot, Path.of(extra), StandardCopyOption.REPLACE_EXISTING);
        }
        Files.deleteIfExists(shot);
    }
}
