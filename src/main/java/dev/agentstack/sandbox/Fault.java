package dev.agentstack.sandbox;

import java.time.Duration;
import java.util.Map;

/**
 * A failure {@link FakeBuildkite} answers one request with, instead of the real answer.
 *
 * @param status      the HTTP status to answer with (0: answer normally, after the delay)
 * @param headers     extra response headers
 * @param body        the response body
 * @param delay       how long to wait before answering
 * @param streamed    when above 0, the body is this many bytes of one JSON string, written as it goes (never held in
 *                    memory), for answers larger than the controller may read
 * @param declared    whether a streamed body declares its length (Content-Length) or is sent chunked
 */
public record Fault(
        int status, Map<String, String> headers, String body, Duration delay, long streamed, boolean declared) {

    public Fault(int status, Map<String, String> headers, String body, Duration delay) {
        this(status, headers, body, delay, 0, false);
    }

    private static final String RATE_LIMITED = "{\"message\":\"You have exceeded your API rate limit\"}";

    public static Fault status(int status) {
        return new Fault(status, Map.of(), "{\"message\":\"fault injected: HTTP " + status + "\"}", Duration.ZERO);
    }

    /** 429 with a Retry-After in seconds, as Buildkite's rate limiter answers. */
    public static Fault rateLimited(int retryAfterSeconds) {
        return new Fault(429, Map.of("Retry-After", String.valueOf(retryAfterSeconds)), RATE_LIMITED, Duration.ZERO);
    }

    /**
     * 429 once the organization's rate limit is spent, as Buildkite documents it: no Retry-After, but RateLimit-Reset,
     * the seconds until a new window starts, and RateLimit-Remaining 0.
     */
    public static Fault rateLimitSpent(int resetSeconds) {
        return rateLimitSpent(50_000, resetSeconds);
    }

    /** The same, for an organization whose window holds {@code limit} points. */
    public static Fault rateLimitSpent(long limit, long resetSeconds) {
        return new Fault(429, rateLimitHeaders(limit, 0, resetSeconds), RATE_LIMITED, Duration.ZERO);
    }

    /** The headers Buildkite reports its rate limit in, on every answer. */
    static Map<String, String> rateLimitHeaders(long limit, long remaining, long resetSeconds) {
        return Map.of(
                "RateLimit-Limit",
                String.valueOf(limit),
                "RateLimit-Remaining",
                String.valueOf(remaining),
                "RateLimit-Reset",
                String.valueOf(resetSeconds));
    }

    /** Answers normally, but only after the delay (use one longer than the client's timeout). */
    public static Fault delay(Duration delay) {
        return new Fault(0, Map.of(), null, delay);
    }

    /** 200 with a body that is not JSON. */
    public static Fault malformedJson() {
        return new Fault(200, Map.of(), "{\"data\": {\"organization\": ", Duration.ZERO);
    }

    /** 200 with a GraphQL {@code errors} array and no data, as for a query the server cannot run. */
    public static Fault graphqlErrors(String message) {
        return new Fault(
                200,
                Map.of(),
                "{\"data\":null,\"errors\":[{\"message\":\"" + message.replace("\"", "'") + "\"}]}",
                Duration.ZERO);
    }

    /** 200 with a body of {@code bytes} bytes, streamed; chunked unless {@code declared}. */
    public static Fault huge(long bytes, boolean declared) {
        return new Fault(200, Map.of(), null, Duration.ZERO, bytes, declared);
    }

    /** A redirect (301, 302, 307, 308) to {@code location}. */
    public static Fault redirect(int status, String location) {
        return new Fault(status, Map.of("Location", location), "", Duration.ZERO);
    }
}
