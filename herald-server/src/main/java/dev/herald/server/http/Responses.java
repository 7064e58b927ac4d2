package dev.herald.server.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;

/** Writes whole responses, honouring keep-alive. */
public final class Responses {
    public static final String JSON = "application/json; charset=utf-8";
    public static final String PROBLEM_JSON = "application/problem+json; charset=utf-8";

    private Responses() {
    }

    public static FullHttpResponse of(HttpResponseStatus status, String contentType, String body) {
        return of(status, contentType, Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
    }

    public static FullHttpResponse of(HttpResponseStatus status, String contentType, ByteBuf body) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, body);
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
        return response;
    }

    public static FullHttpResponse problem(Problem problem) {
        FullHttpResponse response = of(problem.status(), PROBLEM_JSON, problem.toJson());
        problem.retryAfter().ifPresent(d ->
                response.headers().set(HttpHeaderNames.RETRY_AFTER, Math.max(1, (d.toMillis() + 999) / 1000)));
        response.headers().set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE);
        if (problem.status().code() == 401) {
            response.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "SDK-HMAC-SHA256, Bearer realm=\"herald\"");
        }
        return response;
    }

    /** Sends {@code response} to {@code request}; closes the connection after it unless both keep it alive. */
    public static void send(ChannelHandlerContext ctx, HttpRequest request, FullHttpResponse response) {
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        HttpUtil.setKeepAlive(response, keepAlive);
        if (request.method().name().equals("HEAD")) {
            response.content().clear();
        }
        var future = ctx.writeAndFlush(response);
        if (!keepAlive) {
            future.addListener(ChannelFutureListener.CLOSE);
        }
    }

    public static void send(ChannelHandlerContext ctx, HttpRequest request, Problem problem) {
        send(ctx, request, problem(problem));
    }
}
