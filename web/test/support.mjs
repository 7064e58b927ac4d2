// Helpers for the Node tests that need no server: waiting, and a fetch whose responses a test can cut.

/** Resolves with `condition()`'s first truthy value, polling every 20 ms; rejects after `ms` saying `what`. */
export async function waitFor(what, condition, ms = 10_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await condition();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * A fetch for third-party SSE clients whose responses the test can cut with `drop()`, as a dropped connection
 * would (an error, not an abort, which clients take for their own close). Records every request's headers.
 */
export function droppingFetch() {
  const requests = [];
  let cut = () => {};
  const wrapped = async (input, init = {}) => {
    requests.push({ url: String(input), headers: new Headers(init.headers) });
    const response = await fetch(input, init);
    if (!response.body) return response;
    const reader = response.body.getReader();
    const body = new ReadableStream({
      start(controller) {
        cut = () => {
          try {
            controller.error(new TypeError('connection dropped by the test'));
          } catch {
            // Already closed.
          }
          reader.cancel().catch(() => {});
        };
      },
      async pull(controller) {
        try {
          const { value, done } = await reader.read();
          if (done) controller.close();
          else controller.enqueue(value);
        } catch (error) {
          try {
            controller.error(error);
          } catch {
            // Cut meanwhile.
          }
        }
      },
      cancel: (reason) => reader.cancel(reason),
    });
    return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
  };
  return { fetch: wrapped, requests, drop: () => cut() };
}
