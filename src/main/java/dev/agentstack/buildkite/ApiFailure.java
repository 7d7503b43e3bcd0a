package dev.agentstack.buildkite;

import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Map;
import org.apache.camel.http.base.HttpOperationFailedException;

/**
 * Why a call to a Buildkite API failed, in a form fit for one log line and a metric label.
 *
 * @param reason     a short stable label: {@code http_<status>}, {@code timeout}, {@code connection},
 *                   {@code graphql_errors}, {@code malformed_response}, ...
 * @param message    a readable description without secrets
 * @param waitAsked  how long the server asked us to wait (Retry-After, or for a 429 without one Buildkite's
 *                   RateLimit-Reset), or null
 */
public record ApiFailure(String reason, String message, Duration waitAsked) {

    /** Buildkite's header for the seconds until its rate limit window starts again. */
    static final String RATE_LIMIT_RESET = "RateLimit-Reset";

    /** Classifies an exception from camel-graphql, the HTTP client or our own response checks. */
    public static ApiFailure of(Throwable error, Instant now) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof BuildkiteApiException b) {
                // The agent API (and the Stacks API on it) reports the Retry-After of a refused call.
                return new ApiFailure(
                        b.reason(), b.getMessage(), b instanceof AgentApi.AgentApiException a ? a.waitAsked() : null);
            }
            if (t instanceof HttpOperationFailedException h) {
                String status =
                        "HTTP " + h.getStatusCode() + (h.getStatusText() != null ? " " + h.getStatusText() : "");
                // A redirect is never followed: the token would go along to wherever it points.
                return new ApiFailure(
                        "http_" + h.getStatusCode(),
                        h.getStatusCode() / 100 == 3
                                ? status + ": a redirect, not followed (the token goes to graphql-endpoint only)"
                                : status,
                        waitAsked(h.getStatusCode(), h.getResponseHeaders(), now));
            }
            if (t instanceof InterruptedIOException) {
                return new ApiFailure(
                        "timeout", "no answer in time (" + t.getClass().getSimpleName() + ")", null);
            }
            if (t instanceof ConnectException || t instanceof UnknownHostException) {
                return new ApiFailure("connection", "cannot connect: " + t.getMessage(), null);
            }
        }
        String type = error.getClass().getSimpleName();
        return new ApiFailure("error", type + (error.getMessage() != null ? ": " + error.getMessage() : ""), null);
    }

    /**
     * How long the answer asks us to wait: its Retry-After; for a 429 without one, RateLimit-Reset, the seconds until
     * Buildkite's rate limit window starts again (its documented answer once the limit is spent); else null.
     */
    static Duration waitAsked(int status, Map<String, String> headers, Instant now) {
        Duration retryAfter = retryAfter(headers, now);
        if (retryAfter != null || status != 429) {
            return retryAfter;
        }
        return seconds(header(headers, RATE_LIMIT_RESET));
    }

    /** Retry-After as seconds or as an HTTP date; null when absent or unreadable. */
    static Duration retryAfter(Map<String, String> headers, Instant now) {
        String v = header(headers, "Retry-After");
        if (v == null) {
            return null;
        }
        Duration seconds = seconds(v);
        if (seconds != null) {
            return seconds;
        }
        try {
            Duration d = Duration.between(
                    now,
                    ZonedDateTime.parse(v.trim(), DateTimeFormatter.RFC_1123_DATE_TIME)
                            .toInstant());
            return d.isNegative() ? Duration.ZERO : d;
        } catch (DateTimeParseException unreadable) {
            return null;
        }
    }

    /** A header value in whole seconds (negative counts as 0); null when it is absent or not a number. */
    static Duration seconds(String value) {
        if (value == null) {
            return null;
        }
        try {
            return Duration.ofSeconds(Math.max(0, Long.parseLong(value.trim())));
        } catch (NumberFormatException notSeconds) {
            return null;
        }
    }

    /** A header's value, whatever the letter case of its name (HTTP header names are case-insensitive); or null. */
    static String header(Map<String, ?> headers, String name) {
        if (headers == null) {
            return null;
        }
        for (Map.Entry<String, ?> h : headers.entrySet()) {
            if (h.getKey() != null && h.getKey().equalsIgnoreCase(name) && h.getValue() != null) {
                return String.valueOf(h.getValue());
            }
        }
        return null;
    }
}
