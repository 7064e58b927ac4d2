package dev.herald.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TemplateTest {
    private static String value(Template.Placeholder p) {
        return switch (p) {
            case TOPIC -> "bench-3";
            case SEQ -> "9";
            case TS -> "123";
            case DATA -> "9 123 xx";
            case CURSOR -> "k2-7";
            case TIMEOUT -> "25";
            case SUB -> "41";
        };
    }

    @Test
    void placeholdersAreReplacedAndOtherBracesKept() {
        Template t = Template.of("{\"topic\":\"{topic}\",\"data\":\"{data}\",\"n\":{seq},\"x\":{unknown}}");
        assertThat(t.render(TemplateTest::value))
                .isEqualTo("{\"topic\":\"bench-3\",\"data\":\"9 123 xx\",\"n\":9,\"x\":{unknown}}");
        assertThat(t.uses(Template.Placeholder.TOPIC)).isTrue();
        assertThat(t.uses(Template.Placeholder.CURSOR)).isFalse();
    }

    @Test
    void pushpinsPublishBodyKeepsItsJsonEscapes() {
        Template t = Template.of("{\"items\":[{\"channel\":\"{topic}\",\"formats\":{\"http-stream\":"
                + "{\"content\":\"event: message\\ndata: {data}\\n\\n\"}}}]}");
        assertThat(t.render(TemplateTest::value)).isEqualTo("{\"items\":[{\"channel\":\"bench-3\",\"formats\":"
                + "{\"http-stream\":{\"content\":\"event: message\\ndata: 9 123 xx\\n\\n\"}}}]}");
    }

    @Test
    void urlsSplitIntoWhereToConnectAndAnEncodedTarget() {
        UrlTemplate u = UrlTemplate.parse("http://127.0.0.1:8080/api/v1/poll?topic={topic}&cursor={cursor}");
        assertThat(u.address().getPort()).isEqualTo(8080);
        assertThat(u.hostHeader()).isEqualTo("127.0.0.1:8080");
        assertThat(u.render(p -> p == Template.Placeholder.CURSOR ? "a b+c" : value(p)))
                .isEqualTo("/api/v1/poll?topic=bench-3&cursor=a+b%2Bc");
        assertThat(UrlTemplate.parse("ws://localhost/sub/{topic}").port()).isEqualTo(80);
        assertThatThrownBy(() -> UrlTemplate.parse("https://127.0.0.1/")).hasMessageContaining("no TLS");
        assertThatThrownBy(() -> UrlTemplate.parse("http://{topic}:80/")).hasMessageContaining("placeholder");
    }

    @Test
    void headersAreNameAndTemplate() {
        HeaderTemplate h = HeaderTemplate.parse("X-Topic:  {topic} ");
        assertThat(h.name()).isEqualTo("X-Topic");
        assertThat(h.value().render(TemplateTest::value)).isEqualTo("bench-3");
        assertThatThrownBy(() -> HeaderTemplate.parse("no colon")).hasMessage("header no colon (expected: Name: value)");
    }
}
