package dev.herald.server.auth.sign;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Remembers the signatures of accepted state-changing requests until their {@code X-Sdk-Date} leaves the
 * acceptance window, so that the same signed request is accepted once.
 *
 * <p><b>Bound.</b> At most {@link #maxEntries()} signatures (default {@value #DEFAULT_MAX_ENTRIES}: about 32 MB
 * when full, 24 bytes an entry plus its index slots, and no object per entry). When full, the oldest is
 * forgotten to make room, even if its window has not ended. The alternative, refusing new requests while full,
 * would let one app that legitimately sends more than {@code maxEntries} state-changing requests in 15 minutes
 * lock every app out; forgetting the oldest only reopens a replay of a request that is already minutes old, and
 * only past a rate that is itself a misconfiguration. The first time that happens a WARN is logged;
 * {@link #evictedEarly()} counts them. Only requests whose signature verified are remembered, so a forger
 * cannot fill the guard.
 *
 * <p><b>Cost.</b> One check is O(1) (amortized while the ring grows): an open-addressing index (linear probing,
 * at most half full, deletion without tombstones) over a ring of entries in the order they were accepted.
 * Expiry is cheap because that order is close to expiry order: each check forgets up to 8 expired entries from
 * the head, which outpaces any arrival rate; an entry that expires behind a longer-lived one waits for it, and
 * is not a replay meanwhile. The ring grows by doubling up to the bound, so an idle server holds about 32 KB.
 *
 * <p>Entries are keyed by the first 128 bits of the signature, an HMAC output: a collision between two
 * different requests is as unlikely as guessing a key. Thread-safe: one lock, held for O(1) work; the hashing
 * happens before.
 */
public final class ReplayGuard {
    /** The default bound on remembered signatures. */
    public static final int DEFAULT_MAX_ENTRIES = 1_000_000;
    private static final int INITIAL_CAPACITY = 1024;
    private static final int PURGE_PER_CHECK = 8;
    private static final Logger log = LoggerFactory.getLogger(ReplayGuard.class);

    private final int maxEntries;
    // The ring, in acceptance order: fingerprint (two longs) and expiry (epoch millis) of each entry.
    private long[] hi;
    private long[] lo;
    private long[] expires;
    private int head;
    private int size;
    // Index: slot of the ring + 1, 0 for empty. Length a power of two, at least twice the ring's.
    private int[] index;
    private long evictedEarly;
    private boolean warned;

    /** A guard remembering at most {@value #DEFAULT_MAX_ENTRIES} signatures. */
    public ReplayGuard() {
        this(DEFAULT_MAX_ENTRIES);
    }

    /** A guard remembering at most {@code maxEntries} signatures. */
    public ReplayGuard(int maxEntries) {
        if (maxEntries <= 0) {
            throw new IllegalArgumentException("maxEntries: " + maxEntries + " (expected: > 0)");
        }
        this.maxEntries = maxEntries;
        allocate(Math.min(maxEntries, INITIAL_CAPACITY));
    }

    /**
     * Records a signature as used until {@code expires}, unless it already is.
     *
     * @param signature the request's signature (at least 16 bytes)
     * @param expires the last instant at which the request would still be accepted
     * @param now the current time, on the clock {@code expires} is on
     * @return true if the signature was not in use (and now is), false if it is a replay
     */
    public synchronized boolean firstUse(byte[] signature, Instant expires, Instant now) {
        requireNonNull(signature, "signature");
        requireNonNull(expires, "expires");
        requireNonNull(now, "now");
        if (signature.length < 16) {
            throw new IllegalArgumentException("signature: " + signature.length + " bytes (expected: >= 16)");
        }
        long h = longAt(signature, 0);
        long l = longAt(signature, 8);
        long nowMillis = now.toEpochMilli();
        long expiresMillis = expires.toEpochMilli();
        for (int i = 0; i < PURGE_PER_CHECK && size > 0 && this.expires[head] < nowMillis; i++) {
            removeHead();
        }
        int slot = find(h, l);
        if (slot >= 0) {
            if (this.expires[slot] >= nowMillis) {
                return false;
            }
            // Seen, but its window is over and it has not been purged yet (it sits behind a longer-lived entry):
            // it is no replay. Remember it afresh in place; the ring tolerates an entry out of expiry order.
            this.expires[slot] = expiresMillis;
            return true;
        }
        if (size == hi.length) {
            if (hi.length < maxEntries) {
                allocate(Math.min(maxEntries, hi.length * 2));
            } else {
                evictOldest(nowMillis);
            }
        }
        int tail = (head + size) % hi.length;
        hi[tail] = h;
        lo[tail] = l;
        this.expires[tail] = expiresMillis;
        size++;
        insert(tail);
        return true;
    }

    /** How many signatures are remembered now (some may have expired and not been purged yet). */
    public synchronized int size() {
        return size;
    }

    /** How many signatures were forgotten before their window ended, because the guard was full. */
    public synchronized long evictedEarly() {
        return evictedEarly;
    }

    /** The bound on remembered signatures. */
    public int maxEntries() {
        return maxEntries;
    }

    private void evictOldest(long nowMillis) {
        if (expires[head] >= nowMillis) {
            evictedEarly++;
            if (!warned) {
                warned = true;
                log.warn("Replay guard full ({} signatures): forgetting the oldest before its 15-minute window "
                        + "ends, so a replay of it would not be detected. More state-changing signed requests "
                        + "arrive than the guard is sized for.", maxEntries);
            }
        }
        removeHead();
    }

    private void removeHead() {
        unindex(head);
        head = (head + 1) % hi.length;
        size--;
    }

    /** (Re)allocates the ring with {@code capacity} slots, keeping the entries in order, and rebuilds the index. */
    private void allocate(int capacity) {
        long[] newHi = new long[capacity];
        long[] newLo = new long[capacity];
        long[] newExpires = new long[capacity];
        for (int i = 0; i < size; i++) {
            int from = (head + i) % hi.length;
            newHi[i] = hi[from];
            newLo[i] = lo[from];
            newExpires[i] = expires[from];
        }
        hi = newHi;
        lo = newLo;
        expires = newExpires;
        head = 0;
        index = new int[tableSize(capacity)];
        for (int i = 0; i < size; i++) {
            insert(i);
        }
    }

    /** The smallest power of two at least twice the capacity: the index stays at most half full. */
    private static int tableSize(int capacity) {
        int size = Integer.highestOneBit(capacity) << 1;
        return size < capacity * 2 ? size << 1 : size;
    }

    private int home(int slot) {
        return home(hi[slot], lo[slot]);
    }

    private int home(long h, long l) {
        // HMAC output is uniform already; the multiply spreads it over the bits the mask keeps.
        long mixed = (h ^ l) * 0x9E3779B97F4A7C15L;
        return (int) (mixed >>> 32) & (index.length - 1);
    }

    private int find(long h, long l) {
        int mask = index.length - 1;
        for (int i = home(h, l);; i = (i + 1) & mask) {
            int v = index[i];
            if (v == 0) {
                return -1;
            }
            if (hi[v - 1] == h && lo[v - 1] == l) {
                return v - 1;
            }
        }
    }

    private void insert(int slot) {
        int mask = index.length - 1;
        int i = home(slot);
        while (index[i] != 0) {
            i = (i + 1) & mask;
        }
        index[i] = slot + 1;
    }

    /** Removes a ring slot from the index, shifting later entries of its probe run back (no tombstones). */
    private void unindex(int slot) {
        int mask = index.length - 1;
        int hole = home(slot);
        while (index[hole] != slot + 1) {
            hole = (hole + 1) & mask;
        }
        index[hole] = 0;
        for (int i = (hole + 1) & mask; index[i] != 0; i = (i + 1) & mask) {
            int want = home(index[i] - 1);
            // The entry at i may move into the hole unless its home lies cyclically in (hole, i].
            boolean stays = hole <= i ? (want > hole && want <= i) : (want > hole || want <= i);
            if (!stays) {
                index[hole] = index[i];
                index[i] = 0;
                hole = i;
            }
        }
    }

    private static long longAt(byte[] b, int offset) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = v << 8 | (b[offset + i] & 0xFF);
        }
        return v;
    }
}
