package dev.agentstack.buildkite;

import java.time.Duration;
import java.util.Map;

/**
 * The organization's GraphQL rate limit as an answer's headers report it: {@code RateLimit-Limit} complexity points
 * per window, {@code RateLimit-Remaining} of them left, {@code RateLimit-Reset} seconds until a new window starts.
 * The budget is the whole organization's, shared with every other API client (people, scripts, the Buildkite CLI)
 * and with our own cancel checker, so polls stop short of spending the last {@link #RESERVED_SHARE} of it.
 */
public record GraphqlRateLimit(long limit, long remaining, Duration reset) {

    /** The share of the window's points polls leave to every other client. */
    public static final double RESERVED_SHARE = 0.1;

    /** The limit an answer reports; null when it carries no (readable) RateLimit headers. */
    public static GraphqlRateLimit of(Map<String, ?> headers) {
        Long limit = number(ApiFailure.header(headers, "RateLimit-Limit"));
        Long remaining = number(ApiFailure.header(headers, "RateLimit-Remaining"));
        Duration reset = ApiFailure.seconds(ApiFailure.header(headers, ApiFailure.RATE_LIMIT_RESET));
        if (limit == null || remaining == null || reset == null || limit <= 0) {
            return null;
        }
        return new GraphqlRateLimit(limit, Math.max(0, remaining), reset);
    }

    /** Fewer points left than the share reserved for other clients. */
    public boolean nearlySpent() {
        return remaining < limit * RESERVED_SHARE;
    }

    private static Long number(String value) {
        try {
            return value == null ? null : Long.parseLong(value.trim());
        } catch (NumberFormatException unreadable) {
            return null;
        }
    }
}
