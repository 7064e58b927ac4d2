/**
 * SDK-HMAC-SHA256, the "APP" authentication of API gateways, exactly as their public signer SDKs produce it,
 * with the JavaScript signer's rules as the reference (browsers run them):
 * {@link dev.herald.server.auth.sign.CanonicalRequest} builds the canonical request from the raw request,
 * {@link dev.herald.server.auth.sign.Signer} signs (tests, the Java client),
 * {@link dev.herald.server.auth.sign.SignatureVerifier} verifies a request as it arrived, and
 * {@link dev.herald.server.auth.sign.ReplayGuard} accepts each state-changing request once. {@code web/herald-sign.js}
 * signs by the same rules in browsers and Node.
 *
 * <p>What the scheme does not protect, which endpoints must allow for:
 * <ul>
 *   <li>the order of query parameters (they are sorted), and {@code /x} against {@code /x/};
 *   <li>escapes of reserved characters against escapes of those escapes ({@code %2F} and {@code %252F} sign
 *       alike, as the JavaScript SDK itself turns one into the other), and a literal {@code +} against
 *       {@code %2B} in the query: {@code +} is a literal plus to the signer, so it must be one to the endpoint;
 *   <li>the body of methods other than POST, PUT and PATCH, unless {@code X-Sdk-Content-Sha256} is signed with
 *       its hash: endpoints must not act on such a body otherwise;
 *   <li>unsigned headers, which a proxy may add; only the signed ones may be trusted.
 * </ul>
 */
package dev.herald.server.auth.sign;
