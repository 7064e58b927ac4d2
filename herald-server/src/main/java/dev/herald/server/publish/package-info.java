/**
 * The publish API: {@code POST /api/v1/publish} with JSON (one message or an all-or-nothing array) or an
 * HTML form. Every message is validated before any is appended, and acknowledged only once durable.
 */
package dev.herald.server.publish;
