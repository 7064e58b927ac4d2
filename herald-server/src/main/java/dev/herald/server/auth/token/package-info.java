/**
 * Tokens an app's backend mints for its users, so that browsers never hold the app's secret:
 * {@link dev.herald.server.auth.token.TokenClaims} documents the format (a JWT signed HS256 with the AppSecret,
 * or RS256/ES256 with a configured public key), {@link dev.herald.server.auth.token.TokenVerifier} turns one
 * into a {@link dev.herald.server.auth.Principal}, {@link dev.herald.server.auth.token.TokenSources} finds it in
 * a request, {@link dev.herald.server.auth.token.UserPatterns} fills the {@code {sub}} placeholder, and
 * {@link dev.herald.server.auth.token.TokenMinter} mints HS256 tokens for Herald's tools and tests.
 */
package dev.herald.server.auth.token;
