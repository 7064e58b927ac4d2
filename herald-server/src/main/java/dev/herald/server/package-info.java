/**
 * The Herald server: {@link dev.herald.server.HeraldServer} wires the log, the hub and the Netty pipeline
 * that {@link dev.herald.server.HttpInitializer} assembles, and shuts them down in order.
 */
package dev.herald.server;
