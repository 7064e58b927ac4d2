package dev.herald.server.ops;

import dev.herald.core.Log;
import dev.herald.server.http.Endpoint;
import dev.herald.server.http.Problem;
import dev.herald.server.http.Responses;
import io.netty.handler.codec.http.HttpResponseStatus;

/** {@code /healthz} (the process answers), {@code /readyz} (the store accepts appends), {@code /metrics}. */
public final class OpsEndpoints {
    private final Log log;
    private final Metrics metrics;

    public OpsEndpoints(Log log, Metrics metrics) {
        this.log = log;
        this.metrics = metrics;
    }

    public Endpoint health() {
        return (ctx, request, uri) -> Responses.send(ctx, request,
                Responses.of(HttpResponseStatus.OK, Responses.JSON, "{\"status\":\"ok\"}"));
    }

    public Endpoint ready() {
        return (ctx, request, uri) -> {
            if (log.isWritable()) {
                Responses.send(ctx, request, Responses.of(HttpResponseStatus.OK, Responses.JSON,
                        "{\"status\":\"ready\"}"));
            } else {
                Responses.send(ctx, request, Problem.of(HttpResponseStatus.SERVICE_UNAVAILABLE, "not-ready",
                        "The message store does not accept appends."));
            }
        };
    }

    public Endpoint metrics() {
        return (ctx, request, uri) -> Responses.send(ctx, request, Responses.of(HttpResponseStatus.OK,
                "text/plain; version=0.0.4; charset=utf-8", metrics.scrape()));
    }
}
