package dev.herald.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class PayloadTest {
    private final Payload payload = new Payload();

    @Test
    void textCarriesSequenceAndTimestampAndIsPaddedToSize() {
        String data = Payload.format(Payload.Format.TEXT, 17, 1_764_579_600_123_456L, 64);
        assertThat(data).startsWith("17 1764579600123456 x").hasSize(64);
        assertThat(payload.parse(data)).isTrue();
        assertThat(payload.seq()).isEqualTo(17);
        assertThat(payload.ts()).isEqualTo(1_764_579_600_123_456L);
    }

    @Test
    void textShorterThanItsNumbersIsNotPadded() {
        assertThat(Payload.format(Payload.Format.TEXT, 1, 2, 0)).isEqualTo("1 2");
        assertThat(payload.parse("1 2")).isTrue();
        assertThat(payload.seq()).isEqualTo(1);
        assertThat(payload.ts()).isEqualTo(2);
    }

    @Test
    void jsonCarriesTheSame() {
        String data = Payload.format(Payload.Format.JSON, 5, 99, 48);
        assertThat(data).startsWith("{\"seq\":5,\"ts\":99,\"pad\":\"x").endsWith("\"}").hasSize(48);
        byte[] bytes = ("  " + data).getBytes(StandardCharsets.US_ASCII);
        assertThat(payload.parse(bytes, 2, bytes.length - 2)).isTrue();
        assertThat(payload.seq()).isEqualTo(5);
        assertThat(payload.ts()).isEqualTo(99);
    }

    @Test
    void bytesAtAnOffset() {
        byte[] bytes = "data: 42 7 xx".getBytes(StandardCharsets.US_ASCII);
        assertThat(payload.parse(bytes, 6, bytes.length - 6)).isTrue();
        assertThat(payload.seq()).isEqualTo(42);
        assertThat(payload.ts()).isEqualTo(7);
    }

    @Test
    void anythingElseIsRefused() {
        for (String s : new String[] {"", "hello", "12", "12 ", "12 x", "12 34x", "{\"cursor\":1}", "-1 2",
            "1234567890123456789 1"}) {
            assertThat(payload.parse(s)).as(s).isFalse();
        }
    }
}
