/**
 * The built-in demos that {@code ./herald serve} shows a new user: the clock on {@code demo/clock}, the chat's demo
 * backend ({@link dev.herald.server.demo.DemoTokenEndpoint}, tokens for the built-in {@link
 * dev.herald.server.demo.DemoApp}), and the simulated {@link dev.herald.server.demo.Plant} behind the monitoring
 * dashboard. They use Herald as any app would: the hub's publish, tokens, the public API.
 */
package dev.herald.server.demo;
