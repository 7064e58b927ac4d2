package dev.herald.server.contract;

import java.net.http.HttpClient;
import java.util.List;
import java.util.Optional;

/** One way of subscribing to Herald, as a client sees it. */
interface Transport {
    String name();

    /**
     * Subscribes from {@code cursor} (or now), with {@code token} as credentials when present, sending
     * {@code origin} as a browser would when present.
     */
    Feed open(HttpClient http, String base, List<String> topics, Optional<String> cursor, Optional<String> token,
            Optional<String> origin) throws Exception;

    /** An open subscription. */
    interface Feed extends AutoCloseable {
        /** The HTTP status of the subscribe request, or of the WebSocket upgrade. */
        int status();

        /** The problem type of a refused subscription, e.g. {@code forbidden}. */
        String problemType();

        /** The {@code Access-Control-Allow-Origin} header of the answer, if any. */
        Optional<String> allowOrigin();

        /** The next thing received, waiting up to 15 s. */
        Received next() throws Exception;

        /** Whatever arrives within {@code millis}. */
        List<Received> within(long millis) throws Exception;

        /** The cursor to resume from: the last message's id, or the position the feed started at. */
        String cursor();

        @Override
        void close();
    }
}
