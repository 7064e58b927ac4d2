/** The JSON form of a message, shared by long polling and WebSocket, encoded once per message. */
package dev.herald.server.json;
