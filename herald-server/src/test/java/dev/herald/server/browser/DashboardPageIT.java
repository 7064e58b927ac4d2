package dev.herald.server.browser;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.server.HeraldServer;
import dev.herald.server.config.HeraldConfig;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebElement;

/**
 * The monitoring dashboard ({@code /dashboard}) on the built-in plant, in two real browsers: the charts and the
 * current values move with the readings; an alarm the plant raises appears on both, is acknowledged on one, and
 * shows as acknowledged on the other at once.
 */
class DashboardPageIT {
    /** The plant's first meter crosses its threshold about 4 s after the start. */
    private static final Duration WAIT = Duration.ofSeconds(25);

    @RegisterExtension
    final Chromium control = new Chromium();

    @RegisterExtension
    final Chromium wall = new Chromium();

    private final HeraldServer server = HeraldServer.start(HeraldConfig.builder().port(0).host("127.0.0.1")
            .memoryStore().clockDemo(false).meters(6).build());

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void chartsAndValuesMoveAndAnAlarmAcknowledgedOnOneDashboardShowsOnTheOther() {
        String url = "http://127.0.0.1:" + server.port() + "/dashboard";
        control.open(url);
        wall.open(url);

        await(control, "six meter cards with values", () -> values(control).size() == 6
                && values(control).stream().noneMatch("–"::equals));
        String chartBefore = chart(control);
        List<String> valuesBefore = values(control);
        String updatedBefore = script(control, "return document.querySelector('.meter').dataset.updated");
        await(control, "the readings to move the values and the chart", () -> !script(control,
                "return document.querySelector('.meter').dataset.updated").equals(updatedBefore)
                && !chart(control).equals(chartBefore));
        assertThat(values(control)).isNotEqualTo(valuesBefore);
        assertThat(control.text("#state")).isEqualTo("live");

        await(control, "the plant's first alarm", () -> firstActiveAlarm(control) != null);
        String id = firstActiveAlarm(control);
        await(wall, "the same alarm on the other dashboard", () -> "false".equals(acked(wall, id)));
        assertThat(control.text("#active-count")).isNotEqualTo("0");
        assertThat(control.driver().findElements(By.cssSelector(".meter[data-alarm='true']"))).isNotEmpty();
        wall.screenshot("dashboard-alarm-raised");

        WebElement operator = control.driver().findElement(By.id("operator"));
        operator.clear();
        operator.sendKeys("Olivia");
        control.driver().findElement(By.cssSelector(item(id) + " button.ack")).click();

        await(wall, "the acknowledgement on the other dashboard", () -> "true".equals(acked(wall, id)));
        assertThat((String) script(wall, "return document.querySelector(\"" + item(id) + " .alarm-ack\").textContent"))
                .startsWith("✓ Acknowledged by Olivia at ");
        await(control, "the acknowledgement where it was made", () -> "true".equals(acked(control, id)));
        wall.screenshot("dashboard-alarm-acknowledged");
        control.screenshot("dashboard-operator");
    }

    private static String item(String alarmId) {
        return "#alarms li.alarm[data-id='" + alarmId + "']";
    }

    /** The id of the newest alarm active and not acknowledged, or null. The list is redrawn as events come. */
    private static String firstActiveAlarm(Chromium browser) {
        return script(browser, "const a = document.querySelector(\"#alarms li.alarm[data-state='active']"
                + "[data-acked='false']\"); return a ? a.dataset.id : null");
    }

    /** Whether the alarm shows as acknowledged ("true", "false"), or null when it is not shown. */
    private static String acked(Chromium browser, String alarmId) {
        return script(browser, "const a = document.querySelector(\"" + item(alarmId) + "\");"
                + " return a ? a.dataset.acked : null");
    }

    private static List<String> values(Chromium browser) {
        return script(browser, "return [...document.querySelectorAll('.meter .value')].map(v => v.textContent)");
    }

    /** What the first meter's chart shows, as pixels. */
    private static String chart(Chromium browser) {
        return script(browser, "const c = document.querySelector('.meter .chart canvas');"
                + " return c ? c.toDataURL() : ''");
    }

    @SuppressWarnings("unchecked")
    private static <T> T script(Chromium browser, String js) {
        return (T) ((JavascriptExecutor) browser.driver()).executeScript(js);
    }

    private static void await(Chromium browser, String what, BooleanSupplier condition) {
        browser.await(WAIT, () -> what, driver -> condition.getAsBoolean());
    }
}
