/**
 * The embedded durable {@link dev.herald.core.Log}: {@link dev.herald.store.RocksLog}, which keeps messages in
 * a RocksDB database in one directory, opened with {@link dev.herald.store.RocksLogOptions}. The default log of
 * a single Herald node.
 *
 * <p>Everything else in this package is package-private: the on-disk layout, the writer thread that commits
 * appends in groups, and the reads.
 */
package dev.herald.store;
