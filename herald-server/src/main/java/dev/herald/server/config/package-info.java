/**
 * Herald's configuration: one immutable {@link dev.herald.server.config.HeraldConfig}, read from YAML, then
 * environment variables, then command-line flags (each overriding the one before), validated when built.
 * Every key is documented once, with its default, in {@code herald.example.yml}.
 */
package dev.herald.server.config;
