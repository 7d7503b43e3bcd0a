package dev.agentstack.buildkite.stacks;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * What one answer said about its endpoint's rate limit ({@code RateLimit-Scope/-Limit/-Remaining/-Reset}, with Reset
 * read as seconds) and, from {@code Retry-After} in seconds, how long to leave the endpoint alone.
 *
 * @param limit      requests allowed per window, -1 when not reported
 * @param remaining  requests left in this window, -1 when not reported
 * @param reset      until the window starts again, or null
 * @param retryAfter the Retry-After of the answer, or null
 */
public record StacksRateLimit(String scope, long limit, long remaining, Duration reset, Duration retryAfter) {

    /** Parses the headers of one answer (names in any letter case). */
    static StacksRateLimit of(Map<String, String> headers) {
        return new StacksRateLimit(
                header(headers, "RateLimit-Scope"),
                number(header(headers, "RateLimit-Limit")),
                number(header(headers, "RateLimit-Remaining")),
                seconds(header(headers, "RateLimit-Reset")),
                seconds(header(headers, "Retry-After")));
    }

    /**
     * When the endpoint may be called again after this answer: Retry-After when it sent one; for a 429 without it, the
     * window's reset (at least a second); after a success that spent the window, its reset; else {@code now}.
     */
    Instant readyAt(Instant now, boolean rateLimited) {
        if (retryAfter != null && !retryAfter.isZero()) {
            return now.plus(retryAfter);
        }
        if (rateLimited) {
            return now.plus(
                    reset != null && reset.compareTo(Duration.ofSeconds(1)) > 0 ? reset : Duration.ofSeconds(1));
        }
        return remaining == 0 && reset != null ? now.plus(reset) : now;
    }

    private static String header(Map<String, String> headers, String name) {
        for (Map.Entry<String, String> h : headers.entrySet()) {
            if (h.getKey() != null && h.getKey().equalsIgnoreCase(name)) {
                return h.getValue();
            }
        }
        return null;
    }

    private static long number(String v) {
        try {
            return v == null ? -1 : Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** Whole seconds (HTTP dates are ignored, as Buildkite's own client ignores them); negative counts as 0. */
    private static Duration seconds(String v) {
        if (v == null) {
            return null;
        }
        try {
            return Duration.ofSeconds(Math.max(0, Long.parseLong(v.trim())));
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
