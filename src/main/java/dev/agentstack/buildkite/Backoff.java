package dev.agentstack.buildkite;

import java.time.Duration;

/**
 * The wait before the next try of a Buildkite call that failed: the wait the server asked for (Retry-After, or for a
 * 429 without one Buildkite's RateLimit-Reset; see {@link ApiFailure#waitAsked}) when it gave one, at most
 * {@code maxAsked} so a wrong header cannot stall us for hours; else {@code first}, doubled after each further
 * failure, at most {@code maxDoubled}.
 */
public record Backoff(Duration first, Duration maxDoubled, Duration maxAsked) {

    /** The longest wait Buildkite's answer may make polls and cancel checks keep. */
    public static final Duration LONGEST_ASKED_WAIT = Duration.ofMinutes(10);

    /**
     * @param failures how many tries in a row have failed (1 after the first)
     * @param asked    the server's asked wait, or null
     */
    public Duration after(int failures, Duration asked) {
        if (asked != null) {
            return asked.compareTo(maxAsked) > 0 ? maxAsked : asked;
        }
        Duration doubled = first.multipliedBy(1L << Math.min(Math.max(failures, 1) - 1, 16));
        return doubled.compareTo(maxDoubled) > 0 ? maxDoubled : doubled;
    }
}
