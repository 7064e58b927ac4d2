/**
 * Herald's domain: {@link dev.herald.core.Topic topics} and {@link dev.herald.core.Selector selectors},
 * immutable {@link dev.herald.core.Message messages}, the {@link dev.herald.core.Log} that orders and keeps
 * them, the {@link dev.herald.core.Cursor} that names a position in it, and the {@link dev.herald.core.Hub}
 * that fans appended messages out to {@link dev.herald.core.Subscription subscriptions} with history replay
 * and no gap or duplicate at the switch to live delivery.
 *
 * <p>Nothing here knows a socket or a store: transports implement {@link dev.herald.core.Subscriber}, stores
 * implement {@link dev.herald.core.Log}.
 */
package dev.herald.core;
