package dev.agentstack.buildkite;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agentstack.config.Durations;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The controller's share of the organization's GraphQL points. Buildkite counts one budget per organization
 * ({@code RateLimit-Limit} points per window, the window ending {@code RateLimit-Reset} seconds after an answer),
 * shared with every person, script and tool of the organization; the controller lets itself spend
 * graphql-budget-share of it per window. Every GraphQL answer the controller reads (polls, the cancel checker,
 * job-state queries, cancellations) is counted at its actual complexity ({@link GraphqlCost}); a poll or a further
 * page that could take the window's spending past the share waits for the next window. Until an answer has reported
 * the limit, nothing is held back.
 * Metrics: {@code buildkite_graphql_points_spent_total{source}}, {@code buildkite_graphql_share_points_left} (of
 * this window's share, -1 until known), {@code buildkite_graphql_polls_held_back_total{page}}; the organization's
 * points left are {@code buildkite_monitor_graphql_points_remaining}.
 */
public final class GraphqlBudget {

    private static final Logger LOG = LoggerFactory.getLogger("dev.agentstack.monitor");
    private static final ObjectMapper JSON = new ObjectMapper();
    /** RateLimit-Reset is whole seconds: a window end that moves by less than this is the same window. */
    private static final Duration SAME_WINDOW = Duration.ofSeconds(2);

    private final double share;
    private final Clock clock;
    private final MeterRegistry registry;
    private final Map<String, Counter> spentBySource = new ConcurrentHashMap<>();
    private final Counter pollsHeldBack;
    private final Counter pagesHeldBack;
    private long limit = -1;
    private long remaining = -1;
    private Instant windowEndsAt;
    private long spentInWindow;
    /** The window whose hold has been logged, so a hold logs one line, not one per tick. */
    private Instant holdLoggedFor;

    /** @param share graphql-budget-share: the part of each window's points the controller may spend, above 0 */
    public GraphqlBudget(double share, Clock clock, MeterRegistry registry) {
        this.share = share;
        this.clock = clock;
        this.registry = registry;
        Gauge.builder("buildkite.graphql.share.points.left", this, b -> b.shareLeft())
                .description("Points of graphql-budget-share left to the controller in this window (-1 until known)")
                .register(registry);
        this.pollsHeldBack = heldBack("first");
        this.pagesHeldBack = heldBack("next");
    }

    private Counter heldBack(String page) {
        return Counter.builder("buildkite.graphql.polls.held.back")
                .tag("page", page)
                .description("Polls (page=first) and further pages (page=next) not read because they could take the"
                        + " controller past graphql-budget-share of this window's points")
                .register(registry);
    }

    /** Counts an answer the routes read (the cancel checker, job-state queries): its cost and its RateLimit headers. */
    public void spent(String source, String body, Map<String, ?> headers) {
        spent(source, GraphqlCost.of(data(body)), GraphqlRateLimit.of(headers));
    }

    /** Counts points spent by one answer and what its headers report (null: none). */
    public synchronized void spent(String source, int points, GraphqlRateLimit rateLimit) {
        Instant now = clock.instant();
        if (rateLimit != null) {
            Instant endsAt = now.plus(rateLimit.reset());
            if (windowEndsAt == null || !now.isBefore(windowEndsAt) || endsAt.isAfter(windowEndsAt.plus(SAME_WINDOW))) {
                spentInWindow = 0; // a new window: Buildkite has started counting from the full limit again
            }
            windowEndsAt = endsAt;
            limit = rateLimit.limit();
            remaining = rateLimit.remaining();
        }
        spentInWindow += points;
        spentBySource
                .computeIfAbsent(
                        source,
                        s -> Counter.builder("buildkite.graphql.points.spent")
                                .tag("source", s)
                                .description("GraphQL points the controller's answers cost (actual complexity)")
                                .register(registry))
                .increment(points);
    }

    /**
     * True when a poll whose first page costs at most {@code points} stays within the share; otherwise counts and logs
     * (once per window) a held-back poll.
     */
    public synchronized boolean allowsPoll(int points) {
        if (allows(points)) {
            return true;
        }
        pollsHeldBack.increment();
        if (!windowEndsAt.equals(holdLoggedFor)) {
            holdLoggedFor = windowEndsAt;
            LOG.warn(
                    "holding polls back: the controller spent {} of its {} GraphQL points this window"
                            + " (graphql-budget-share {} of the organization's {}); polls resume in {}, when it resets",
                    spentInWindow,
                    allowance(),
                    share,
                    limit,
                    Durations.format(Duration.between(clock.instant(), windowEndsAt)));
        }
        return false;
    }

    /** True when a further page that costs at most {@code points} stays within the share; otherwise counts it. */
    public synchronized boolean allowsPage(int points) {
        if (allows(points)) {
            return true;
        }
        pagesHeldBack.increment();
        LOG.debug(
                "not reading a further page: it could take the controller past its {} GraphQL points this window",
                allowance());
        return false;
    }

    private boolean allows(int points) {
        if (limit < 0 || !clock.instant().isBefore(windowEndsAt)) {
            return true; // no limit reported yet, or a new window has begun
        }
        return spentInWindow + points <= allowance();
    }

    private long allowance() {
        return (long) Math.floor(limit * share);
    }

    /** Points of this window's share not yet spent, or -1 while no answer has reported the limit. */
    public synchronized long shareLeft() {
        if (limit < 0) {
            return -1;
        }
        return !clock.instant().isBefore(windowEndsAt) ? allowance() : Math.max(0, allowance() - spentInWindow);
    }

    /** The organization's points left as the last answer reported them, or -1. */
    public synchronized long remaining() {
        return remaining;
    }

    private static JsonNode data(String body) {
        try {
            return body == null ? null : JSON.readTree(body).path("data");
        } catch (IOException unreadable) {
            return null; // a malformed answer is reported where it is read; it returned no objects
        }
    }
}
