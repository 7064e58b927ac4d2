/**
 * Long polling and plain polling: {@code GET /api/v1/poll}. Each request owns one hub subscription, from its
 * cursor, and ends it with one JSON answer built from the shared, encode-once message JSON. The server keeps
 * nothing between polls: the cursor in each answer is the whole state, so any node can answer the next poll.
 */
package dev.herald.server.poll;
