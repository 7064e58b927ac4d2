package dev.herald.redis;

import dev.herald.core.Log;
import dev.herald.core.LogContract;
import dev.herald.core.RetentionPolicy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The Log contract, on a real Redis, with a fresh prefix (so an empty log) per log. */
class RedisLogTest extends LogContract {
    @RegisterExtension
    static final RedisServer redis = RedisServer.ephemeral();

    private static final AtomicInteger logs = new AtomicInteger();

    @Override
    protected Log create(RetentionPolicy retention, LongSupplier clock) {
        try {
            return RedisLog.open(RedisLogOptions.builder(redis.uri())
                    .prefix("contract-" + logs.incrementAndGet() + ":")
                    .retention(retention)
                    .clock(clock)
                    .build());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
