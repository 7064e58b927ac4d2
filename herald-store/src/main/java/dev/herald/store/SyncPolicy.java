package dev.herald.store;

/** How far a {@link RocksLog} goes to make an append durable before its future completes. */
public enum SyncPolicy {
    /**
     * Every group commit is synced to disk (fsync of the write-ahead log) before any append in it completes: an
     * acknowledged append survives a crash of the process, of the operating system and a loss of power. The
     * default. Costs one sync per group, not per append: under load, many appends share one.
     */
    GROUP,

    /**
     * Every group commit is written to the operating system before its appends complete, but not synced: an
     * acknowledged append survives the process being killed, not a crash of the machine or a loss of power,
     * which may lose the last appends acknowledged (never a middle part: what survives is a prefix). For
     * disks where a sync is slow and a loss of the newest messages is acceptable.
     */
    NONE
}
