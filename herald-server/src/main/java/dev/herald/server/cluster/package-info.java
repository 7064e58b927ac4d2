/**
 * A node's part in a cluster: what the nodes share besides the log (which is {@link dev.herald.redis.RedisLog}),
 * so that a client may talk to any node. Rate limits ({@link dev.herald.server.cluster.RedisRateLimits}) and
 * accepted signatures ({@link dev.herald.server.cluster.RedisSeenSignatures}) live in the log's Redis, under its
 * prefix, with expiry. Tokens need nothing shared: any node verifies them with the app's key. Cursors need
 * nothing either: every node reads the same log, so a cursor from one resumes on another.
 *
 * <p>Presence is shared too ({@link dev.herald.server.cluster.RedisPresence}, on
 * {@link dev.herald.redis.RedisLog#roster()}): each node keeps seats for its connections in Redis, refreshed
 * every few seconds and removed by any node's sweep once they run out, so a crashed node's users leave by
 * themselves; first arrivals and last departures are decided in one script per call and announced through the
 * log. Each piece has a connection of its own on the log's client, and keys under the log's prefix. See
 * docs/cluster.md.
 */
package dev.herald.server.cluster;
