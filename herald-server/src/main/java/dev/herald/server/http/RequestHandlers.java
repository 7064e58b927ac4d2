package dev.herald.server.http;

import io.netty.channel.ChannelPipeline;
import java.util.List;

/**
 * The names of the handlers that every request passes through between the HTTP codec and the router, and the
 * step that takes them out of a connection that has become a stream: a stream takes no more requests, so it needs
 * no header deadline, CORS, body limit or request rate, and should not keep what they hold (CORS keeps the last
 * request). That is most of what an idle stream costs beyond its channel.
 */
public final class RequestHandlers {
    public static final String DEADLINE = "deadline";
    public static final String CORS = "cors";
    public static final String BODY = "body";
    public static final String RATE = "rate";

    private static final List<String> ALL = List.of(DEADLINE, CORS, BODY, RATE);

    private RequestHandlers() {
    }

    /** Call once the stream's response head is written: CORS has put its headers on it. */
    public static void dropForStream(ChannelPipeline pipeline) {
        for (String name : ALL) {
            if (pipeline.get(name) != null) {
                pipeline.remove(name);
            }
        }
    }
}
