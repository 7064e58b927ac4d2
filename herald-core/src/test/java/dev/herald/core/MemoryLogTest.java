package dev.herald.core;

import java.util.function.LongSupplier;

class MemoryLogTest extends LogContract {
    @Override
    protected Log create(RetentionPolicy retention, LongSupplier clock) {
        return new MemoryLog(retention, clock);
    }
}
