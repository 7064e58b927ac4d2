/**
 * Operations: health and readiness probes, metrics in Prometheus text format, and the admin statistics (the same
 * meters as JSON, behind the admin token).
 */
package dev.herald.server.ops;
