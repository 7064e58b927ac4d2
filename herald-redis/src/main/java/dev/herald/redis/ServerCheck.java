package dev.herald.redis;

import io.lettuce.core.RedisException;
import io.lettuce.core.api.sync.RedisCommands;
import java.io.IOException;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a {@link RedisLog} checks of the Redis it opens, once: the version it needs (refused below 6.2), and the
 * settings that would lose messages (an eviction policy, no persistence), which it logs.
 */
final class ServerCheck {
    private static final Logger log = LoggerFactory.getLogger(RedisLog.class);
    private static final Pattern VERSION = Pattern.compile("redis_version:(\\d+)\\.(\\d+)");

    private ServerCheck() {
    }

    static void check(RedisCommands<String, String> redis, String server) throws IOException {
        Matcher v = VERSION.matcher(redis.info("server"));
        if (v.find()) {
            int major = Integer.parseInt(v.group(1));
            int minor = Integer.parseInt(v.group(2));
            if (major < 6 || major == 6 && minor < 2) {
                throw new IOException("Redis at " + server + " is version " + major + "." + minor
                        + " (expected: 6.2 or later)");
            }
        }
        try {
            Map<String, String> config = redis.configGet("maxmemory-policy", "appendonly", "save");
            String policy = config.get("maxmemory-policy");
            if (policy != null && !policy.equals("noeviction")) {
                log.warn("Redis at {} has maxmemory-policy {}: it may evict the log's keys and lose messages "
                        + "(expected: noeviction)", server, policy);
            }
            if ("no".equals(config.get("appendonly")) && "".equals(config.get("save"))) {
                log.info("Redis at {} keeps nothing across a restart (appendonly no, save \"\"): a restart of "
                        + "Redis ends this log's epoch", server);
            }
        } catch (RedisException e) {
            log.debug("CONFIG GET refused by {}; its eviction policy is not checked: {}", server, e.getMessage());
        }
    }
}
