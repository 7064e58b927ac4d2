/**
 * Who is asking, and what they may do: configured {@link dev.herald.server.auth.App apps}, the
 * {@link dev.herald.server.auth.Principal} a request is authenticated as (by an SDK-HMAC-SHA256 signature, a
 * token an app minted for a user, or nothing for public topics), and the
 * {@link dev.herald.server.auth.Permissions} every endpoint checks.
 */
package dev.herald.server.auth;
