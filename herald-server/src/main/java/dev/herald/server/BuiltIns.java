package dev.herald.server;

import dev.herald.core.Hub;
import dev.herald.redis.RedisLog;
import dev.herald.server.auth.Access;
import dev.herald.server.auth.App;
import dev.herald.server.auth.Authenticator;
import dev.herald.server.cluster.RedisPresence;
import dev.herald.server.config.HeraldConfig;
import dev.herald.server.config.TopicRules;
import dev.herald.server.demo.DemoApp;
import dev.herald.server.demo.DemoTokenEndpoint;
import dev.herald.server.demo.Plant;
import dev.herald.server.demo.PlantEndpoint;
import dev.herald.server.http.Router;
import dev.herald.server.ops.AdminStatsEndpoint;
import dev.herald.server.ops.Metrics;
import dev.herald.server.presence.Attendance;
import dev.herald.server.presence.MemoryPresence;
import dev.herald.server.presence.PresenceAnnouncer;
import dev.herald.server.presence.PresenceEndpoint;
import dev.herald.server.presence.TimedPresence;
import dev.herald.server.publish.PublishPolicy;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.http.HttpMethod;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Base64;
import java.util.Set;

/**
 * What Herald runs besides the transports, on the hub like any app: presence on the {@code topics.presence}
 * topics, the publish policy (sender stamps, reserved presence events), the demos (the chat's token backend and
 * the simulated plant) and the admin statistics. One place builds them from the configuration, adds their
 * routes, and starts and stops what runs on its own.
 */
final class BuiltIns implements AutoCloseable {
    private static final String API = "/api/v1";

    private final HeraldConfig config;
    private final Hub hub;
    private final Metrics metrics;
    private final Clock clock;
    private final TimedPresence presence;
    private final Attendance attendance;
    private final PublishPolicy policy;
    private final App demoApp = DemoApp.create();
    private final Plant plant;
    private final String adminToken;

    BuiltIns(HeraldConfig config, Hub hub, Metrics metrics, Clock clock) {
        this.config = config;
        this.hub = hub;
        this.metrics = metrics;
        this.clock = clock;
        TopicRules topics = config.topics();
        PresenceAnnouncer announcer = new PresenceAnnouncer(hub, clock);
        // In a cluster, presence is shared in the log's Redis, as rate limits are (dev.herald.server.cluster).
        this.presence = hub.log() instanceof RedisLog redis ? new RedisPresence(redis.roster(), announcer)
                : new MemoryPresence(announcer, clock::millis);
        this.attendance = new Attendance(presence, TopicRules.matching(topics.presence()));
        this.policy = new PublishPolicy(TopicRules.matching(topics.stamped()), TopicRules.matching(topics.presence()),
                Set.of(PresenceAnnouncer.JOINED, PresenceAnnouncer.LEFT), clock, config.maxDataBytes());
        this.plant = new Plant(hub, config.demo().meters(), clock, System.nanoTime());
        this.adminToken = config.adminToken().isEmpty() ? randomToken() : config.adminToken();
        metrics.gauge("herald.presence.topics", "Topics on which this node holds users present", presence::topics);
    }

    /** The configured access, with the demo app and the plant's public topics when those demos run. */
    Access access(Access configured) {
        return DemoApp.extend(configured, config.demo(), demoApp);
    }

    Attendance attendance() {
        return attendance;
    }

    PublishPolicy policy() {
        return policy;
    }

    /** The admin credential: configured, or made at this start. */
    String adminToken() {
        return adminToken;
    }

    /** Adds the presence, demo and admin routes. */
    Router.Builder routes(Router.Builder router, Authenticator authenticator) {
        router.route(HttpMethod.GET, API + "/presence", new PresenceEndpoint(authenticator, attendance));
        router.route(HttpMethod.GET, API + "/admin/stats", new AdminStatsEndpoint(adminToken, metrics, hub, clock));
        if (config.demo().chat()) {
            router.route(HttpMethod.POST, API + "/demo/token", new DemoTokenEndpoint(demoApp, authenticator, clock));
        }
        if (config.demo().plant()) {
            router.route(HttpMethod.GET, API + "/demo/plant", new PlantEndpoint(plant));
        }
        return router;
    }

    /** Starts presence's timers (poll leases; in a cluster, refreshing and sweeping) and the plant, if it runs. */
    void start(EventLoopGroup timers) {
        presence.start(timers);
        if (config.demo().plant()) {
            plant.start();
        }
    }

    @Override
    public void close() {
        presence.close();
        plant.close();
    }

    private static String randomToken() {
        byte[] bytes = new byte[24];
        new SecureRandom().nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
