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
        Long limit = number(headers, "RateLimit-Limit");
        Long remaining = number(headers, "RateLimit-Remaining");
        Long reset = number(headers, "RateLimit-Reset");
        if (limit == null || remaining == null || reset == null || limit <= 0) {
            return null;
        }
        return new GraphqlRateLimit(limit, Math.max(0, remaining), Duration.ofSeconds(Math.max(0, reset)));
    }

    /** Fewer points left than the share reserved for other clients. */
    public boolean nearlySpent() {
        return remaining < limit * RESERVED_SHARE;
    }

    private static Long number(Map<String, ?> headers, String name) {
        if (headers == null) {
            return null;
        }
        for (Map.Entry<String, ?> h : headers.entrySet()) {
            if (h.getKey() != null && h.getKey().equalsIgnoreCase(name) && h.getValue() != null) {
                try {
                    return Long.parseLong(String.valueOf(h.getValue()).trim());
                } catch (NumberFormatException unreadable) {
                    return null;
                }
            }
        }
        return null;
    }
}
