package dev.herald.server.browser;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.server.HeraldServer;
import dev.herald.server.config.HeraldConfig;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;

/**
 * The admin page ({@code /admin}) in a real browser: refused without the admin token, signed in by the link
 * {@code herald serve} prints, and showing the server's live numbers while the plant and a dashboard run.
 */
class AdminPageIT {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @RegisterExtension
    final Chromium browser = new Chromium();

    @RegisterExtension
    final Chromium dashboard = new Chromium();

    private final HeraldServer server = HeraldServer.start(HeraldConfig.builder().port(0).host("127.0.0.1")
            .memoryStore().meters(4).build());

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void showsLiveNumbersWithTheAdminTokenOnly() throws InterruptedException {
        String base = "http://127.0.0.1:" + server.port();
        browser.open(base + "/admin");
        assertThat(browser.driver().findElement(By.id("signin")).isDisplayed()).isTrue();
        browser.driver().findElement(By.id("token")).sendKeys("not-the-admin-token");
        browser.driver().findElement(By.cssSelector("#signin-form button")).click();
        browser.await(WAIT, () -> "the wrong token refused", b -> browser.text("#signin-error")
                .contains("not the admin token"));

        dashboard.open(base + "/dashboard");
        browser.open(base + "/admin#token=" + server.adminToken());
        browser.await(WAIT, () -> "rates and connections", b -> browser.text("#publish-rate").endsWith("/s")
                && browser.text("#connections").matches("[1-9][0-9]*"));
        assertThat(browser.driver().getCurrentUrl()).doesNotContain("token");
        assertThat(browser.text("#connections-detail")).contains("SSE");
        browser.await(WAIT, () -> "the dashboard's topics", b -> browser.text("#topics").contains("meters/+/reading")
                && browser.text("#topics").contains("alarms/+"));
        browser.await(WAIT, () -> "the rates chart",
                b -> !b.findElements(By.cssSelector("#rates-chart canvas")).isEmpty());
        Thread.sleep(4000); // a few more samples, for the screenshot
        browser.screenshot("admin-page");
    }
}
