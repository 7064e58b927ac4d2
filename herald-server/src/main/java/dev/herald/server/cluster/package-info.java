/**
 * A node's part in a cluster: what the nodes share besides the log (which is {@link dev.herald.redis.RedisLog}),
 * so that a client may talk to any node. Rate limits ({@link dev.herald.server.cluster.RedisRateLimits}) and
 * accepted signatures ({@link dev.herald.server.cluster.RedisSeenSignatures}) live in the log's Redis, under its
 * prefix, with expiry. Tokens need nothing shared: any node verifies them with the app's key. Cursors need
 * nothing either: every node reads the same log, so a cursor from one resumes on another.
 *
 * <p><b>Presence is not shared yet</b>: each node keeps its own ({@link dev.herald.server.presence.MemoryPresence}).
 * A shared {@link dev.herald.server.presence.Presence} belongs here: each node keeps, in Redis, its own members
 * of a topic under a key that expires unless the node refreshes it (for example a sorted set per topic, member =
 * node and connection, score = expiry time, refreshed with the heartbeat), so that a crashed node's members
 * leave by themselves; first arrivals and last departures are decided in one script and announced through the
 * log. {@link dev.herald.redis.RedisLog#limits()} shows the shape: a connection of its own on the log's client,
 * keys under the log's prefix. See docs/cluster.md.
 */
package dev.herald.server.cluster;
