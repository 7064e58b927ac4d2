package dev.herald.bench;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.InputStream;
import java.util.function.Consumer;

/**
 * Reads a long-poll answer, {@code {"messages":[{"id":…,"data":"…",…},…],"cursor":"…"}}, with Jackson's streaming
 * parser: each message's {@code data} goes to the consumer as it is read, and the answer's {@code cursor} is
 * returned. Other fields, at any depth, are skipped.
 */
final class PollAnswer {
    private static final JsonFactory JSON = new JsonFactory();

    private PollAnswer() {
    }

    /** The answer's cursor (empty if it has none), after passing each message's data to {@code data}. */
    static String read(InputStream in, Consumer<String> data) throws IOException {
        String cursor = "";
        try (JsonParser p = JSON.createParser(in)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IOException("a poll answer is a JSON object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                if (field.equals("messages") && value == JsonToken.START_ARRAY) {
                    while (p.nextToken() == JsonToken.START_OBJECT) {
                        while (p.nextToken() == JsonToken.FIELD_NAME) {
                            String name = p.currentName();
                            JsonToken v = p.nextToken();
                            if (name.equals("data") && v == JsonToken.VALUE_STRING) {
                                data.accept(p.getText());
                            } else {
                                p.skipChildren();
                            }
                        }
                    }
                } else if (field.equals("cursor") && value == JsonToken.VALUE_STRING) {
                    cursor = p.getText();
                } else {
                    p.skipChildren();
                }
            }
        }
        return cursor;
    }
}
