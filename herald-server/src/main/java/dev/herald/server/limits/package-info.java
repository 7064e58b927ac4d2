/**
 * Bounds on what one client can take: connections and request rates per address, publish rates per app
 * (token buckets, answered 429 with {@code Retry-After}), and a deadline for a request's headers.
 */
package dev.herald.server.limits;
