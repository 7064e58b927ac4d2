/**
 * HTTP plumbing shared by every endpoint: routing, request limits, and errors as
 * {@code application/problem+json} (RFC 9457).
 */
package dev.herald.server.http;
