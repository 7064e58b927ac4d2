package dev.herald.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PollAnswerTest {
    private static String read(String json, List<String> data) throws IOException {
        return PollAnswer.read(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)), data::add);
    }

    @Test
    void heraldsAnswerGivesEachMessagesDataAndTheNextCursor() throws IOException {
        List<String> data = new ArrayList<>();
        String cursor = read("{\"messages\":[{\"id\":\"e-1\",\"topic\":\"bench-0\",\"event\":\"message\","
                + "\"data\":\"1 10 xx\",\"time\":\"2026-01-01T00:00:00Z\"},{\"id\":\"e-2\",\"data\":\"2 20\","
                + "\"extra\":{\"nested\":[1,2]}}],\"cursor\":\"e-2\"}", data);
        assertThat(data).containsExactly("1 10 xx", "2 20");
        assertThat(cursor).isEqualTo("e-2");
    }

    @Test
    void anEmptyOrTruncatedAnswerStillMovesTheCursor() throws IOException {
        List<String> data = new ArrayList<>();
        assertThat(read("{\"truncated\":{\"cursor\":\"x\",\"detail\":\"d\"},\"messages\":[],\"cursor\":\"e-9\"}",
                data)).isEqualTo("e-9");
        assertThat(data).isEmpty();
    }

    @Test
    void notAnObjectIsAnError() {
        assertThatThrownBy(() -> read("[]", new ArrayList<>())).isInstanceOf(IOException.class);
    }
}
