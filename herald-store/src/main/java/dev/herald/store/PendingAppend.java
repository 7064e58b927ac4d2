package dev.herald.store;

import dev.herald.core.Appended;
import dev.herald.core.Draft;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** One append call waiting for the writer: its drafts, and the future its caller holds. */
record PendingAppend(List<Draft> drafts, CompletableFuture<List<Appended>> future) {
}
