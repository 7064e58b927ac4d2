package dev.herald.core;

import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * The ordered, retained history of every message, and the only place offsets come from.
 *
 * <p>Contract shared by every implementation (and checked by the Log contract tests):
 * <ul>
 *   <li>{@link #append} gives each new message the next offset; the future completes only once the messages
 *       are as durable as the implementation promises, and a failed append stored none of its drafts.</li>
 *   <li>The {@linkplain #listen listener} sees every stored message exactly once, in offset order, after it is
 *       durable and visible to {@link #read}, and before the append's future completes. A message that count
 *       retention removed within the same append still reaches the listener, though no read returns it.</li>
 *   <li>Reads are consistent with that order: a message a read returns has every smaller offset either returned
 *       too (if it matches) or not matching.</li>
 *   <li>Retention removes messages per topic, by count and by age; a read from a position that retention has
 *       passed says so through {@link History#trimmedThrough()}.</li>
 * </ul>
 * {@link #read} and {@link #last} may block on storage: never call them on an event loop.
 */
public interface Log extends AutoCloseable {

    /** Names this incarnation of the log; changes when its store is wiped. */
    String epoch();

    /**
     * The highest offset given out, 0 when none ever was. It never goes back within an epoch, even when
     * retention has removed every message.
     */
    long head();

    /**
     * Appends drafts as one batch: all of them are stored (or recognised as duplicates), or none is.
     *
     * @return one {@link Appended} per draft, in the drafts' order
     */
    CompletableFuture<List<Appended>> append(List<Draft> drafts);

    /**
     * Messages whose topic matches one of {@code selectors} and whose offset is greater than {@code after}, in
     * offset order, at most {@code limit}.
     */
    History read(Collection<Selector> selectors, long after, int limit);

    /** The newest {@code count} messages matching {@code selectors}, oldest first. */
    List<Message> last(Collection<Selector> selectors, int count);

    /** Sets the one listener that is told of stored messages; see the class contract. */
    void listen(Consumer<List<Message>> listener);

    /**
     * Completes once {@link #head()} has reached {@code offset}, or at once if it never will (no such offset
     * was given out). A log shared by several nodes learns of other nodes' appends a moment after they are
     * acknowledged, so a cursor that one node gave may be ahead of another's head for that moment. Fails when
     * the log cannot tell now. Never blocks; by default (a log that is the only writer of its store) complete.
     */
    default CompletableFuture<Void> awaitHead(long offset) {
        return CompletableFuture.completedFuture(null);
    }

    /** Whether the log accepts appends now. */
    boolean isWritable();

    /** Stops accepting appends, finishes the ones under way and releases the store. */
    @Override
    void close();
}
