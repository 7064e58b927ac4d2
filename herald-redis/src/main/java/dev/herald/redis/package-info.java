/**
 * The cluster {@link dev.herald.core.Log}: {@link dev.herald.redis.RedisLog}, which keeps messages in a Redis
 * stream that several Herald nodes share, opened with {@link dev.herald.redis.RedisLogOptions}; appends that
 * fail say through {@link dev.herald.redis.AppendException} whether they may be stored; and
 * {@link dev.herald.redis.RedisLimits}, the token buckets and once-only marks that the nodes share besides, and
 * {@link dev.herald.redis.RedisRoster}, their presence.
 *
 * <p>Everything else in this package is package-private: the key layout, the Lua scripts (resources next to
 * these classes), the follower, the reads and the retention pass.
 */
package dev.herald.redis;
