package dev.herald.redis;

import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.async.RedisAsyncCommands;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.stream.Collectors;

/**
 * One Lua script, run with EVALSHA. Its SHA-1 is computed here; when Redis answers NOSCRIPT (first use, or
 * after a restart or SCRIPT FLUSH) the script is loaded and run again. That retry is safe: Redis ran nothing.
 * A script is its files joined, a prelude of shared functions first where it has one.
 */
enum Script {
    APPEND("prelude.lua", "append.lua"),
    BUCKET("bucket.lua"),
    EXPIRE("prelude.lua", "expire.lua"),
    CLEAN("clean.lua"),
    PROBE("probe.lua"),
    READ("read.lua"),
    SCAN("scan.lua"),
    SEAT("roster.lua", "seat.lua"),
    UNSEAT("roster.lua", "unseat.lua"),
    ROLL("roster.lua", "roll.lua"),
    DUE("due.lua");

    private final String source;
    private final String sha;

    Script(String... files) {
        this.source = Arrays.stream(files).map(Script::load).collect(Collectors.joining("\n"));
        this.sha = sha1(source);
    }

    /** Runs the script; the future fails as the command does, never with NOSCRIPT. */
    CompletableFuture<List<Object>> run(RedisAsyncCommands<String, String> redis, String[] keys, String... args) {
        return redis.<List<Object>>evalsha(sha, ScriptOutputType.MULTI, keys, args).toCompletableFuture()
                .exceptionallyCompose(e -> {
                    Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
                    if (!(cause instanceof RedisNoScriptException)) {
                        return CompletableFuture.failedFuture(cause);
                    }
                    return redis.scriptLoad(source).toCompletableFuture()
                            .thenCompose(loaded -> redis.<List<Object>>evalsha(loaded, ScriptOutputType.MULTI,
                                    keys, args).toCompletableFuture());
                });
    }

    String sha() {
        return sha;
    }

    private static String load(String file) {
        try (InputStream in = Script.class.getResourceAsStream(file)) {
            if (in == null) {
                throw new IllegalStateException("missing resource dev/herald/redis/" + file);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String sha1(String source) {
        try {
            return HexFormat.of().formatHex(
                    MessageDigest.getInstance("SHA-1").digest(source.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
