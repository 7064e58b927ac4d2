package dev.herald.bench;

import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpObjectAggregator;
import java.util.List;

/**
 * Assembles a subscriber connection's pipeline for the run's transport, and renders its request from the templates.
 */
final class SubscriberChannels {
    /** The largest poll answer or WebSocket message a subscriber accepts. */
    static final int MAX_MESSAGE = 16 * 1024 * 1024;

    private final BenchOptions options;
    private final UrlTemplate url;
    private final LocalFleet fleet;
    private final List<HeaderTemplate> headers;

    SubscriberChannels(BenchOptions options, UrlTemplate url, LocalFleet fleet) {
        this.options = options;
        this.url = url;
        this.fleet = fleet;
        this.headers = HeaderTemplate.parseAll(options.subscribeHeaders());
    }

    void install(ChannelPipeline p, Subscriber s) {
        switch (options.transport()) {
            case SSE -> {
                p.addLast(new HttpClientCodec(4096, 16 * 1024, 64 * 1024));
                p.addLast(new SseSubscription(this, s));
            }
            case POLL -> {
                p.addLast(new HttpClientCodec());
                p.addLast(new HttpObjectAggregator(MAX_MESSAGE));
                p.addLast(new PollSubscription(this, s));
            }
            case WS -> WsSubscription.install(p, this, s);
        }
    }

    BenchOptions options() {
        return options;
    }

    LocalFleet fleet() {
        return fleet;
    }

    UrlTemplate url() {
        return url;
    }

    /** The values of {@code s}'s templates; {@code timeout} for {@code {timeout}}. */
    Template.Values values(Subscriber s, int timeout) {
        return p -> switch (p) {
            case TOPIC -> options.topic(s.topic);
            case SUB -> Integer.toString(s.index);
            case CURSOR -> s.cursor;
            case TIMEOUT -> Integer.toString(timeout);
            case SEQ, TS, DATA -> "";
        };
    }

    /** Adds Host and the configured headers. */
    void addHeaders(HttpHeaders h, Subscriber s, Template.Values values) {
        h.set("Host", url.hostHeader());
        for (HeaderTemplate t : headers) {
            h.add(t.name(), t.value().render(values));
        }
    }
}
