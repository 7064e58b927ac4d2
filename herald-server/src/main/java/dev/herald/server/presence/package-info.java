/**
 * Presence: which identified users are subscribed to a topic, on every transport, and the {@code userlogin} /
 * {@code userlogout} events that announce their first arrival and last departure. {@link
 * dev.herald.server.presence.Presence} is where it is kept: {@link dev.herald.server.presence.MemoryPresence}
 * holds one node's, {@link dev.herald.server.cluster.RedisPresence} a cluster's, in Redis. {@link
 * dev.herald.server.presence.Attendance} is what the transports call.
 */
package dev.herald.server.presence;
