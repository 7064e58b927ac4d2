package dev.herald.redis;

/**
 * Why a {@link RedisLog} append failed, and whether its drafts may be stored all the same.
 *
 * <p>When Redis refused the batch, or the log never sent it (closed, Redis unreachable, too many appends
 * under way), nothing was stored: {@link #mayBeStored()} is false. When the batch was sent and no answer came
 * (the command timed out, or the connection broke while it was under way), Redis may have run it:
 * {@link #mayBeStored()} is true, and a publisher that retries should use an idempotency key so that the retry
 * is not stored twice.
 */
public final class AppendException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final boolean mayBeStored;

    AppendException(String message, boolean mayBeStored, Throwable cause) {
        super(message, cause);
        this.mayBeStored = mayBeStored;
    }

    /** Whether the batch may have been stored although the append failed. */
    public boolean mayBeStored() {
        return mayBeStored;
    }
}
