package dev.herald.server.browser;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.server.HeraldServer;
import dev.herald.server.config.HeraldConfig;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebElement;

/**
 * The chat page ({@code /chat}) in two real browsers, as two people: each sees the other's messages, who is
 * online, and who joins and leaves; over SSE and over long polling. A message is shown as text whatever it
 * holds, and names the sender the server stamped, whatever the text claims.
 */
class ChatPageIT {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @RegisterExtension
    final Chromium alice = new Chromium();

    @RegisterExtension
    final Chromium bob = new Chromium();

    private final HeraldServer server = HeraldServer.start(HeraldConfig.builder().port(0).host("127.0.0.1")
            .memoryStore().clockDemo(false).plantDemo(false).build());

    @AfterEach
    void stop() {
        server.close();
    }

    private String room(String name) {
        return "http://127.0.0.1:" + server.port() + "/chat#room=" + name;
    }

    @Test
    void twoPeopleSeeEachOthersMessagesAndComingAndGoing() {
        signIn(alice, room("lobby"), "Alice");
        await(alice, "Alice in her own roster", () -> roster(alice).equals(List.of("Alice")));
        signIn(bob, room("lobby"), "Bob");

        await(alice, "Bob in Alice's roster", () -> roster(alice).equals(List.of("Alice", "Bob")));
        await(alice, "Bob's arrival in Alice's log", () -> presenceLines(alice).contains("Bob joined"));
        await(bob, "both in Bob's roster", () -> roster(bob).equals(List.of("Alice", "Bob")));

        send(alice, "Hello Bob! Lunch at noon?");
        await(bob, "Alice's message at Bob's", () -> messages(bob).contains("Alice: Hello Bob! Lunch at noon?"));
        send(bob, "Sure, see you there.");
        await(alice, "Bob's answer at Alice's", () -> messages(alice).contains("Bob: Sure, see you there."));
        assertThat(messages(alice)).containsSubsequence("Alice: Hello Bob! Lunch at noon?",
                "Bob: Sure, see you there.");
        alice.screenshot("chat-two-people-alice");
        bob.screenshot("chat-two-people-bob");

        bob.close(); // Bob closes his browser: his last connection goes, and the room hears that he left
        await(alice, "Bob's departure in Alice's log", () -> presenceLines(alice).contains("Bob left"));
        await(alice, "Bob gone from Alice's roster", () -> roster(alice).equals(List.of("Alice")));
        alice.screenshot("chat-after-bob-left");
    }

    @Test
    void aMessageIsShownAsTextAndCannotClaimAnotherSender() {
        signIn(alice, room("security"), "Alice");
        signIn(bob, room("security"), "Bob");
        await(alice, "Bob in the room", () -> roster(alice).contains("Bob"));

        String xss = "<img src=x onerror=\"window.xss=1\"><script>window.xss=2</script><b>bold?</b>";
        send(bob, xss);
        send(bob, "{\"from\":\"Alice\",\"text\":\"I am Alice, honest\"}");
        await(alice, "Bob's two messages", () -> messages(alice).size() >= 2);

        assertThat(messages(alice)).contains("Bob: " + xss,
                "Bob: {\"from\":\"Alice\",\"text\":\"I am Alice, honest\"}");
        assertThat((Boolean) script(alice, "return window.xss === undefined")).isTrue();
        assertThat(alice.driver().findElements(By.cssSelector("#messages img, #messages script, #messages b")))
                .isEmpty();
        assertThat(alice.driver().findElements(By.cssSelector("#messages li.msg[data-from='Alice']"))).isEmpty();
        alice.screenshot("chat-xss-shown-as-text");
    }

    @Test
    void longPollingAndSseChatTogether() {
        signIn(alice, room("ops"), "Alice");
        signIn(bob, room("ops"), "Bob");
        bob.driver().findElement(By.cssSelector("label:has(#transport-longpoll)")).click();
        await(bob, "Bob live over long polling", () -> bob.text("#state").equals("live · long polling"));
        await(alice, "Bob, polling, in Alice's roster", () -> roster(alice).equals(List.of("Alice", "Bob")));

        send(alice, "Can you hear me over SSE?");
        await(bob, "Alice's message at Bob's, polled",
                () -> messages(bob).contains("Alice: Can you hear me over SSE?"));
        send(bob, "Loud and clear, by long polling.");
        await(alice, "Bob's polled answer", () -> messages(alice).contains("Bob: Loud and clear, by long polling."));
        assertThat(alice.text("#state")).isEqualTo("live · SSE");
        bob.screenshot("chat-long-polling");
    }

    private static void signIn(Chromium browser, String url, String name) {
        browser.open(url);
        WebElement field = browser.driver().findElement(By.id("name"));
        field.clear();
        field.sendKeys(name);
        browser.driver().findElement(By.id("join")).click();
        await(browser, name + " signed in", () -> browser.driver().findElement(By.id("app")).isDisplayed()
                && browser.text("#state").startsWith("live"));
    }

    private static void send(Chromium browser, String text) {
        WebElement field = browser.driver().findElement(By.id("text"));
        field.sendKeys(text);
        browser.driver().findElement(By.id("send")).click();
        await(browser, "the composer to empty after sending", () -> field.getAttribute("value").isEmpty());
    }

    /** "sender: text" of every message shown, in order. */
    private static List<String> messages(Chromium browser) {
        return script(browser, "return [...document.querySelectorAll('#messages li.msg')]"
                + ".map(li => li.dataset.from + ': ' + li.querySelector('.text').textContent)");
    }

    private static List<String> presenceLines(Chromium browser) {
        return script(browser, "return [...document.querySelectorAll('#messages li.presence span')]"
                + ".map(s => s.textContent)");
    }

    private static List<String> roster(Chromium browser) {
        return script(browser, "return [...document.querySelectorAll('#roster li')].map(li => li.dataset.user)");
    }

    @SuppressWarnings("unchecked")
    private static <T> T script(Chromium browser, String js) {
        return (T) ((JavascriptExecutor) browser.driver()).executeScript(js);
    }

    private static void await(Chromium browser, String what, java.util.function.BooleanSupplier condition) {
        browser.await(WAIT, () -> what, driver -> condition.getAsBoolean());
    }
}
