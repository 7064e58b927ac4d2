package dev.herald.store;

import dev.herald.core.Log;
import dev.herald.core.LogContract;
import dev.herald.core.RetentionPolicy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.io.TempDir;

/** The Log contract, on a fresh RocksDB directory per log. */
class RocksLogTest extends LogContract {
    @TempDir
    Path dir;

    @Override
    protected Log create(RetentionPolicy retention, LongSupplier clock) {
        try {
            return RocksLog.open(RocksLogOptions.builder(Files.createTempDirectory(dir, "log"))
                    .retention(retention)
                    .clock(clock)
                    .build());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
