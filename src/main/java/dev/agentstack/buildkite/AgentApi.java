package dev.agentstack.buildkite;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

/**
 * The calls of Buildkite's agent REST API that failing a job without a pod needs, as the agent makes them:
 * {@code register} with the agent (registration) token, then {@code connect}, {@code jobs/<uuid>/acquire},
 * {@code start}, {@code chunks}, {@code finish} and {@code disconnect} with the access token it returns.
 */
public final class AgentApi {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String endpoint;
    private final HttpClient http;
    private final Duration timeout;
    private final String userAgent;
    private final ResponseSizeLimit sizeLimit;

    /**
     * @param endpoint  the agent API base, e.g. https://agent.buildkite.com/v3
     * @param sizeLimit the most bytes read of one answer (max-response-size)
     */
    public AgentApi(String endpoint, Duration timeout, String userAgent, ResponseSizeLimit sizeLimit) {
        this.endpoint = endpoint.endsWith("/") ? endpoint.substring(0, endpoint.length() - 1) : endpoint;
        this.timeout = timeout;
        this.userAgent = userAgent;
        this.sizeLimit = sizeLimit;
        // A redirect would carry the agent token to wherever it points: a 3xx is a failed call instead.
        this.http = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    /** A registered, ephemeral agent: its access token authorises the other calls. */
    public record Session(String agentId, String accessToken) {
        @Override
        public String toString() {
            return "Session[agentId=" + agentId + "]"; // never print the token
        }
    }

    /** A call that did not succeed; {@link #status()} is 0 when no HTTP answer came. */
    public static final class AgentApiException extends BuildkiteApiException {
        private static final long serialVersionUID = 1L;
        private final int status;
        private final Duration waitAsked;

        AgentApiException(String call, int status, String detail) {
            this(call, status, detail, null);
        }

        AgentApiException(String call, int status, String detail, Duration waitAsked) {
            super(status == 0 ? "connection" : "http_" + status,
                    "agent API " + call + (status == 0 ? " failed: " : " answered " + status + ": ") + detail);
            this.status = status;
            this.waitAsked = waitAsked;
        }

        public int status() {
            return status;
        }

        /** The wait the answer asked for before another try (Retry-After, or a 429's RateLimit-Reset), or null. */
        public Duration waitAsked() {
            return waitAsked;
        }

        /** No answer came (a timeout, say), or Buildkite was rate limiting or failing: the call may succeed later. */
        public boolean isTransient() {
            return status == 0 || status == 429 || status >= 500;
        }

        /** The job cannot be acquired: another agent has it, or it is no longer waiting for one. */
        public boolean isAcquisitionRejected() {
            return status == 422;
        }
    }

    public Session register(String agentToken, String name, java.util.List<String> tags) {
        Map<String, Object> body = new java.util.LinkedHashMap<>();
        body.put("name", name);
        body.put("hostname", name);
        body.put("os", "linux");
        body.put("arch", "amd64");
        body.put("script_eval_enabled", false);
        body.put("ignore_in_dispatches", true);
        body.put("version", userAgent);
        body.put("build", "");
        body.put("meta_data", tags);
        body.put("features", java.util.List.of("agent-core"));
        JsonNode answer = call("register", "POST", "/register", agentToken, json(body), "application/json", null);
        String accessToken = answer.path("access_token").asText(null);
        if (accessToken == null || accessToken.isEmpty()) {
            throw new AgentApiException("register", 200, "no access token in the answer");
        }
        return new Session(answer.path("id").asText(""), accessToken);
    }

    public void connect(Session s) {
        call("connect", "POST", "/connect", s.accessToken(), new byte[0], "application/json", null);
    }

    public void acquire(Session s, String jobUuid) {
        call("acquire", "PUT", "/jobs/" + jobUuid + "/acquire", s.accessToken(), new byte[0], "application/json", null);
    }

    public void start(Session s, String jobUuid, String startedAt) {
        call("start", "PUT", "/jobs/" + jobUuid + "/start", s.accessToken(), json(Map.of("started_at", startedAt)),
                "application/json", null);
    }

    /** Uploads the whole log as the first chunk: gzip body, offset 0, size = the log's length in bytes. */
    public void uploadLog(Session s, String jobUuid, String log) {
        byte[] raw = log.getBytes(StandardCharsets.UTF_8);
        call("chunks", "POST", "/jobs/" + jobUuid + "/chunks?sequence=1&offset=0&size=" + raw.length,
                s.accessToken(), gzip(raw), "text/plain", "gzip");
    }

    public void finish(Session s, String jobUuid, int exitStatus, String signalReason, String finishedAt) {
        Map<String, Object> body = new java.util.LinkedHashMap<>();
        body.put("exit_status", String.valueOf(exitStatus));
        body.put("signal_reason", signalReason);
        body.put("finished_at", finishedAt);
        body.put("chunks_failed_count", 0);
        call("finish", "PUT", "/jobs/" + jobUuid + "/finish", s.accessToken(), json(body), "application/json", null);
    }

    public void disconnect(Session s) {
        call("disconnect", "POST", "/disconnect", s.accessToken(), new byte[0], "application/json", null);
    }

    private JsonNode call(String name, String method, String path, String token, byte[] body, String contentType,
                          String contentEncoding) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(endpoint + path))
                .timeout(timeout)
                .header("Authorization", "Token " + token)
                .header("User-Agent", userAgent)
                .header("Content-Type", contentType)
                .method(method, HttpRequest.BodyPublishers.ofByteArray(body));
        if (contentEncoding != null) {
            b.header("Content-Encoding", contentEncoding);
        }
        HttpResponse<java.io.InputStream> response;
        String text;
        try {
            response = http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
            text = read(response);
        } catch (IOException e) {
            throw new AgentApiException(name, 0, e.getClass().getSimpleName()
                    + (e.getMessage() != null ? ": " + e.getMessage() : ""));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AgentApiException(name, 0, "interrupted");
        }
        if (response.statusCode() / 100 == 3) {
            throw new AgentApiException(name, response.statusCode(), "a redirect, not followed (the token goes to"
                    + " agent-endpoint only)");
        }
        if (response.statusCode() / 100 != 2) {
            throw new AgentApiException(name, response.statusCode(), message(text),
                    ApiFailure.waitAsked(response.statusCode(), firstValues(response.headers()), Instant.now()));
        }
        try {
            return text.isBlank() ? JSON.createObjectNode() : JSON.readTree(text);
        } catch (IOException e) {
            return JSON.createObjectNode();
        }
    }

    /** The body as text, read through the size limit; an oversize answer closes its stream, which drops the call. */
    private String read(HttpResponse<java.io.InputStream> streamed) throws IOException {
        java.io.InputStream body = streamed.body();
        Runnable abort = () -> {
            try {
                body.close();
            } catch (IOException ignored) {
                // the connection is being dropped anyway
            }
        };
        try {
            sizeLimit.checkDeclared(streamed.headers().firstValueAsLong("Content-Length").orElse(-1));
        } catch (ResponseSizeLimit.Oversize e) {
            abort.run();
            throw e;
        }
        return new String(sizeLimit.readAll(body, abort), StandardCharsets.UTF_8);
    }

    private static Map<String, String> firstValues(HttpHeaders headers) {
        Map<String, String> first = new java.util.HashMap<>();
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

    private static byte[] json(Object body) {
        try {
            return JSON.writeValueAsBytes(body);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] gzip(byte[] raw) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(raw);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toByteArray();
    }
}
