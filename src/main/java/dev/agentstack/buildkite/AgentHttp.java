package dev.agentstack.buildkite;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * One HTTP exchange with Buildkite's agent API host (agent-endpoint), shared by the agent REST calls
 * ({@link AgentApi}) and the Stacks API: {@code Authorization: Token}, a timeout (http-timeout), answers read through
 * max-response-size, and no redirect followed, since it would carry the token to wherever it points.
 */
public final class AgentHttp {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String api;
    private final String endpoint;
    private final HttpClient http;
    private final Duration timeout;
    private final String userAgent;
    private final ResponseSizeLimit sizeLimit;

    /**
     * @param api      what errors call the API, e.g. {@code agent API} or {@code Stacks API}
     * @param endpoint the agent API base, e.g. https://agent.buildkite.com/v3
     */
    public AgentHttp(String api, String endpoint, Duration timeout, String userAgent, ResponseSizeLimit sizeLimit) {
        this.api = api;
        this.endpoint = endpoint.endsWith("/") ? endpoint.substring(0, endpoint.length() - 1) : endpoint;
        this.timeout = timeout;
        this.userAgent = userAgent;
        this.sizeLimit = sizeLimit;
        this.http = HttpClient.newBuilder()
                .connectTimeout(timeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    /**
     * A 2xx answer: its status, headers (first value of each, names as sent) and body text.
     */
    public record Answer(int status, Map<String, String> headers, String body) {}

    /** A request: the call's name (for errors), method, path below the endpoint, and a JSON or other body. */
    public record Request(
            String call, String method, String path, byte[] body, String contentType, String contentEncoding) {

        /** A JSON request; a null body sends none. */
        public static Request json(String call, String method, String path, byte[] body) {
            return new Request(call, method, path, body, "application/json", null);
        }
    }

    /**
     * Sends the request with the token; a 2xx is returned, anything else throws {@link AgentApi.AgentApiException}
     * (status 0 when no answer came) carrying the wait the answer asked for.
     */
    public Answer send(Request r, String token) {
        return send(r, token, timeout);
    }

    /** As {@link #send(Request, String)}, with a shorter bound than http-timeout (e.g. during shutdown). */
    public Answer send(Request r, String token, Duration bound) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(endpoint + r.path()))
                .timeout(bound.compareTo(timeout) < 0 ? bound : timeout)
                .header("Authorization", "Token " + token)
                .header("User-Agent", userAgent)
                .header("Accept", "application/json")
                .header("Content-Type", r.contentType())
                .method(
                        r.method(),
                        r.body() == null
                                ? HttpRequest.BodyPublishers.noBody()
                                : HttpRequest.BodyPublishers.ofByteArray(r.body()));
        if (r.contentEncoding() != null) {
            b.header("Content-Encoding", r.contentEncoding());
        }
        HttpResponse<InputStream> response;
        String text;
        try {
            response = http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
            text = read(response);
        } catch (IOException e) {
            throw new AgentApi.AgentApiException(
                    api,
                    r.call(),
                    0,
                    e.getClass().getSimpleName() + (e.getMessage() != null ? ": " + e.getMessage() : ""),
                    null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AgentApi.AgentApiException(api, r.call(), 0, "interrupted", null);
        }
        Map<String, String> headers = firstValues(response.headers());
        if (response.statusCode() / 100 == 3) {
            throw new AgentApi.AgentApiException(
                    api,
                    r.call(),
                    response.statusCode(),
                    "a redirect, not followed (the token goes to agent-endpoint only)",
                    null);
        }
        if (response.statusCode() / 100 != 2) {
            throw new AgentApi.AgentApiException(
                    api,
                    r.call(),
                    response.statusCode(),
                    message(text),
                    ApiFailure.waitAsked(response.statusCode(), headers, Instant.now()));
        }
        return new Answer(response.statusCode(), headers, text);
    }

    /** The body as text, read through the size limit; an oversize answer closes its stream, which drops the call. */
    private String read(HttpResponse<InputStream> streamed) throws IOException {
        InputStream body = streamed.body();
        Runnable abort = () -> {
            try {
                body.close();
            } catch (IOException ignored) {
                // the connection is being dropped anyway
            }
        };
        try {
            sizeLimit.checkDeclared(
                    streamed.headers().firstValueAsLong("Content-Length").orElse(-1));
        } catch (ResponseSizeLimit.Oversize e) {
            abort.run();
            throw e;
        }
        return new String(sizeLimit.readAll(body, abort), StandardCharsets.UTF_8);
    }

    private static Map<String, String> firstValues(HttpHeaders headers) {
        Map<String, String> first = new HashMap<>();
        headers.map().forEach((name, values) -> {
            if (!values.isEmpty()) {
                first.put(name, values.get(0));
            }
        });
        return first;
    }

    /** The server's message; answers are JSON like {"message": "..."}. Never includes request data. */
    private static String message(String body) {
        try {
            String m = JSON.readTree(body).path("message").asText("");
            return m.isEmpty() ? "(no message)" : m;
        } catch (IOException | RuntimeException e) {
            return "(no message)";
        }
    }
}
