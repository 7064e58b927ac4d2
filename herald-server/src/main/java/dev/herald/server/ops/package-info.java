/** Operations: health and readiness probes, and metrics in Prometheus text format. */
package dev.herald.server.ops;
