package dev.herald.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(LeakDetection.class)
class SseParserTest {
    private final List<String> events = new ArrayList<>();
    private final SseParser parser = new SseParser(
            (message, data, length) -> events.add((message ? "" : "other:")
                    + new String(data, 0, length, StandardCharsets.UTF_8)), 256);

    private void feed(String... chunks) {
        for (String c : chunks) {
            ByteBuf b = Unpooled.copiedBuffer(c, StandardCharsets.UTF_8);
            try {
                parser.feed(b);
            } finally {
                b.release();
            }
        }
    }

    @Test
    void heraldsStreamGivesItsMessagesAndRemembersTheId() {
        feed("retry: 2000\n: herald stream\n\n", "id: k2x9-0\n\n", "id: k2x9-1\ndata: 1 100 xx\n\n");
        assertThat(events).containsExactly("1 100 xx");
        assertThat(parser.lastEventId()).isEqualTo("k2x9-1");
    }

    @Test
    void linesEndWithCrLfOrCrOrLfEvenSplitAcrossChunks() {
        feed("data: a\r", "\ndata: b\r\r", "data: c\n", "\n", "data:d\r\n\r\n");
        assertThat(events).containsExactly("a\nb", "c", "d");
    }

    @Test
    void onlyOneLeadingSpaceIsDropped() {
        feed("data:  two\n\n");
        assertThat(events).containsExactly(" two");
    }

    @Test
    void otherEventTypesAreToldApart() {
        feed("event: herald.truncated\ndata: {}\n\n", "event: message\ndata: m\n\n", "data: n\n\n");
        assertThat(events).containsExactly("other:{}", "m", "n");
    }

    @Test
    void commentsAndEventsWithoutDataDispatchNothing() {
        feed(":\n\n", ": hi\n\n", "event: x\n\n", "retry: 10\n\n");
        assertThat(events).isEmpty();
    }

    @Test
    void eventsArriveByteByByte() {
        for (char c : "id: 7\ndata: 3 4\n\n".toCharArray()) {
            feed(String.valueOf(c));
        }
        assertThat(events).containsExactly("3 4");
        assertThat(parser.lastEventId()).isEqualTo("7");
    }

    @Test
    void aLineOverTheBoundIsAnError() {
        assertThatThrownBy(() -> feed("data: " + "x".repeat(300))).hasMessageContaining("over 256 bytes");
    }
}
