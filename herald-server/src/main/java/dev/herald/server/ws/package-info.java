/**
 * WebSocket: {@code GET /api/v1/ws}, many subscriptions and publishes over one connection, on Netty's WebSocket
 * codec.
 *
 * <h2>Opening</h2>
 * The upgrade request is authenticated as every request is ({@code access_token} query parameter,
 * {@code Authorization: Bearer}, the {@code herald_token} cookie or an SDK-HMAC-SHA256 signature), and refused
 * <em>before</em> the upgrade with the same {@code application/problem+json} answers as the other transports
 * (401, 403). A request that is not a WebSocket upgrade gets 426. After the {@code 101}, the HTTP handlers leave
 * the pipeline (the header deadline first, so that it can never time out an upgraded connection) and the
 * WebSocket handlers take the router's place:
 * <pre>
 * connections ─ bytes ─ wsencoder ─ wsdecoder ─ ws-keepalive ─ ws-utf8 ─ ws-messages ─ ws (the session)
 * </pre>
 *
 * <h2>Frames</h2>
 * Every message is one JSON object in a text frame (or a fragmented text message).
 * <p>Client to server:
 * <pre>
 * {"type":"subscribe","id":"s1","topics":["chat/#"],"cursor":"k2x9q0b1cd-118"}   cursor optional
 * {"type":"subscribe","id":"s2","topics":["room/7"],"history":20}               or the last N messages
 * {"type":"unsubscribe","id":"s1"}
 * {"type":"publish","ref":"r1","topic":"chat/a","data":"hi","event":"chat","key":"msg-7f3a"}
 * </pre>
 * Server to client:
 * <pre>
 * {"type":"subscribed","id":"s1","cursor":"k2x9q0b1cd-118"}        where the subscription starts
 * {"type":"message","sub":"s1","message":{"id":"k2x9q0b1cd-119","topic":"chat/a","event":"message","data":"hi","time":"…"}}
 * {"type":"truncated","sub":"s1","cursor":"k2x9q0b1cd-3","detail":"History no longer reaches back …"}
 * {"type":"unsubscribed","id":"s1"}
 * {"type":"published","ref":"r1","id":"k2x9q0b1cd-120","duplicate":false}
 * {"type":"error","sub":"s1","problem":{"type":"urn:herald:problem:forbidden","title":"Forbidden","status":403,"detail":"…"}}
 * {"type":"error","ref":"r1","problem":{…},"retryAfter":1}
 * {"type":"token-expired","detail":"…"}                            then the close, 1008
 * </pre>
 *
 * <ul>
 *   <li>A subscription {@code id} is the client's own name for it, 1 to 64 characters without control
 *       characters, unique on the connection while subscribed; {@code sub} in later frames names it. At most
 *       {@link dev.herald.server.ws.WebSocketEndpoint#MAX_SUBSCRIPTIONS} subscriptions per connection, and at
 *       most {@code limits.maxTopicsPerSubscription} selectors in one.</li>
 *   <li>{@code cursor} is the same token as an SSE {@code id:} and a message's {@code id}: one cursor, one meaning
 *       on every transport. Given both, {@code cursor} wins over {@code history}, as {@code Last-Event-ID} does
 *       over {@code history=N} on SSE, so a client may resend its first subscribe with the cursor added.</li>
 *   <li>{@code subscribed} comes first, then {@code truncated} when history no longer reaches back to the cursor
 *       (with the same detail as SSE's {@code herald.truncated}), then the messages, each once, in order. After
 *       {@code unsubscribed}, nothing more arrives for that id.</li>
 *   <li>{@code publish} takes the fields of an HTTP publish, with the idempotency key named {@code key}; the same
 *       validation, limits, permissions and per-app rate apply. {@code published} comes once the message is
 *       durable; its {@code id} is the message's cursor. {@code ref} (optional, 1 to 64 characters) is echoed.</li>
 *   <li>A refused command is answered with {@code error}, carrying the problem object HTTP would answer (and
 *       {@code retryAfter} in seconds where HTTP sends {@code Retry-After}), naming the {@code sub} of a
 *       subscribe or unsubscribe or the {@code ref} of a publish. The connection stays open. An error naming a
 *       {@code sub} leaves no subscription by that id: one whose history could not be read ends with an error
 *       too, and may be subscribed again from its last cursor.</li>
 *   <li>An unknown {@code type}, a missing field or an unknown field is such an error too (a client newer than
 *       the server learns so and goes on).</li>
 * </ul>
 *
 * <h2>Closing</h2>
 * Per RFC 6455 section 7.4.1:
 * <ul>
 *   <li>1007 (invalid payload data): a text frame that is not UTF-8, or not a JSON object.</li>
 *   <li>1003 (unsupported data): a binary frame.</li>
 *   <li>1009 (message too big): a frame or fragmented message over {@code limits.maxDataBytes} plus
 *       {@link dev.herald.server.ws.WebSocketEndpoint#ENVELOPE_BYTES} for the envelope.</li>
 *   <li>1002 (protocol error): a broken frame (unmasked, reserved bits, fragmented control frame), as Netty's
 *       decoder finds it.</li>
 *   <li>1008 (policy violation): the principal's token expired, after a {@code token-expired} frame.</li>
 *   <li>1001 (going away): the server shuts down, or nothing arrived from the client for two keepalive
 *       intervals.</li>
 * </ul>
 * Each is a closing handshake: the close frame, then the client's (what arrives meanwhile is dropped), then the
 * TCP close, or the TCP close after {@link dev.herald.server.ws.WebSocketSession#CLOSE_TIMEOUT} without an
 * answer. Not cutting at once keeps unread input from turning the close into a reset that loses the close frame.
 * A client's close is echoed with its status code. Clients reconnect and resubscribe with their cursors.
 *
 * <h2>Keepalive and backpressure</h2>
 * One task per event loop pings every WebSocket on it each {@code sse.heartbeat} (one shared empty ping frame);
 * a connection from which nothing arrived (no pong, no frame) for two intervals is closed. Client pings are
 * answered with pongs. Subscriptions stop delivering while the channel is not writable and catch up from the log
 * once it is again; while it is not writable, or while {@link dev.herald.server.ws.WebSocketSession#MAX_PUBLISHING}
 * publishes await the log, the connection reads no more frames, so answers cannot pile up either.
 */
package dev.herald.server.ws;
