package dev.herald.server.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.QueryStringDecoder;

/**
 * Answers one route. Runs on the channel's event loop and must not block. May throw {@link ProblemException}
 * to refuse the request. The request is released by the router after {@code handle} returns: an endpoint that
 * needs its content later must retain it.
 */
@FunctionalInterface
public interface Endpoint {
    void handle(ChannelHandlerContext ctx, FullHttpRequest request, QueryStringDecoder uri);
}
