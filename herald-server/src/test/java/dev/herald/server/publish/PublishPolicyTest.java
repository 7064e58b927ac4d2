package dev.herald.server.publish;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.core.Draft;
import dev.herald.core.Selector;
import dev.herald.core.Topic;
import dev.herald.server.auth.App;
import dev.herald.server.auth.Permissions;
import dev.herald.server.auth.Principal;
import dev.herald.server.http.ProblemException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PublishPolicyTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final App APP = new App("chat", "HKCHATAPPKEY00000001", "x".repeat(43),
            new Permissions(List.of(Selector.of("#")), List.of(Selector.of("#"))), List.of(), 0, List.of());
    private static final Principal ALICE = new Principal(Optional.of(APP), Optional.of("alice"), APP.permissions(),
            Optional.empty());
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-01T09:00:00.123456Z"), ZoneOffset.UTC);

    private final PublishPolicy policy = new PublishPolicy(topic -> Selector.of("chat/#").matches(topic),
            topic -> Selector.of("chat/#").matches(topic), Set.of("userlogin", "userlogout"), CLOCK, 200);

    @Test
    void aUsersMessageOnAStampedTopicCarriesItsSenderAndNothingInItCanClaimAnother() throws Exception {
        String forged = "{\"from\":\"bob\",\"text\":\"I am bob\",\"time\":\"2020-01-01T00:00:00Z\"}";
        Draft stamped = policy.apply(ALICE, new Draft(Topic.of("chat/lobby"), "message", forged, "k1"));
        JsonNode data = JSON.readTree(stamped.data());
        assertThat(data.get("from").asText()).isEqualTo("alice");
        assertThat(data.get("text").asText()).isEqualTo(forged);
        assertThat(data.get("time").asText()).isEqualTo("2026-12-01T09:00:00.123Z");
        assertThat(data.size()).isEqualTo(3);
        assertThat(stamped.key()).isEqualTo("k1");
        assertThat(stamped.event()).isEqualTo("message");

        JsonNode anonymous = JSON.readTree(policy.apply(Principal.anonymous(Permissions.NONE),
                Draft.of(Topic.of("chat/lobby"), "hi")).data());
        assertThat(anonymous.get("from").isNull()).isTrue();
    }

    @Test
    void anAppsOwnRequestAndOtherTopicsAreLeftAsTheyAre() {
        Draft draft = Draft.of(Topic.of("chat/lobby"), "{\"from\":\"support-bot\",\"text\":\"hi\"}");
        assertThat(policy.apply(Principal.of(APP), draft)).isSameAs(draft);
        assertThat(policy.apply(Principal.of(APP), new Draft(Topic.of("chat/lobby"), "userlogin", "{}", "")))
                .isNotNull();
        Draft elsewhere = Draft.of(Topic.of("news/today"), "hi");
        assertThat(policy.apply(ALICE, elsewhere)).isSameAs(elsewhere);
    }

    @Test
    void presenceEventsAreTheServersOnPresenceTopics() {
        assertThatThrownBy(() -> policy.apply(ALICE, new Draft(Topic.of("chat/lobby"), "userlogout",
                "{\"username\":\"bob\"}", ""))).isInstanceOfSatisfying(ProblemException.class, e -> {
                    assertThat(e.problem().status().code()).isEqualTo(403);
                    assertThat(e.problem().type()).isEqualTo("reserved-event");
                });
        assertThat(policy.apply(ALICE, new Draft(Topic.of("news/today"), "userlogin", "x", "")).event())
                .isEqualTo("userlogin");
    }

    @Test
    void theStampedDataMustFitTheLimitToo() {
        assertThatThrownBy(() -> policy.apply(ALICE, Draft.of(Topic.of("chat/lobby"), "\"".repeat(80))))
                .isInstanceOfSatisfying(ProblemException.class, e -> {
                    assertThat(e.problem().status().code()).isEqualTo(413);
                    assertThat(e.problem().detail()).contains("limits.maxDataBytes");
                });
        assertThat(policy.apply(ALICE, List.of(Draft.of(Topic.of("chat/a"), "1"), Draft.of(Topic.of("x"), "2"))))
                .extracting(Draft::data).element(1).isEqualTo("2");
    }
}
