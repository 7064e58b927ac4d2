/**
 * Server-Sent Events: {@code GET /api/v1/stream}. The encoder writes each message once per server as shared
 * bytes; a stream is a {@link dev.herald.core.Subscriber} bound to its channel's event loop; heartbeats are one
 * task per event loop writing one shared frame.
 */
package dev.herald.server.sse;
