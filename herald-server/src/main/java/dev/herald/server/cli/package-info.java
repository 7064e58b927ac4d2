/** The command line: {@code herald serve}, {@code herald --help}. */
package dev.herald.server.cli;
