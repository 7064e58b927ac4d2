/** The web pages and the browser client, served from the classpath. */
package dev.herald.server.web;
