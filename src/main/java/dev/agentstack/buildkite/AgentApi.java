package dev.agentstack.buildkite;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

/**
 * The calls of Buildkite's agent REST API that failing a job without a pod needs, as the agent makes them:
 * {@code register} with the agent (registration) token, then {@code connect}, {@code jobs/<uuid>/acquire},
 * {@code start}, {@code chunks}, {@code finish} and {@code disconnect} with the access token it returns.
 */
public final class AgentApi {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final AgentHttp http;
    private final String userAgent;

    /**
     * @param endpoint  the agent API base, e.g. https://agent.buildkite.com/v3
     * @param sizeLimit the most bytes read of one answer (max-response-size)
     */
    public AgentApi(String endpoint, Duration timeout, String userAgent, ResponseSizeLimit sizeLimit) {
        this.userAgent = userAgent;
        this.http = new AgentHttp("agent API", endpoint, timeout, userAgent, sizeLimit);
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
            this("agent API", call, status, detail, null);
        }

        /** @param api what the message calls the API: {@code agent API}, {@code Stacks API} */
        AgentApiException(String api, String call, int status, String detail, Duration waitAsked) {
            super(
                    status == 0 ? "connection" : "http_" + status,
                    api + " " + call + (status == 0 ? " failed: " : " answered " + status + ": ") + detail);
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

        /** A 4xx other than 429: the same call fails the same way again (a wrong token, an unknown job or stack). */
        public boolean isPermanent() {
            return status / 100 == 4 && status != 429;
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
        call(
                "start",
                "PUT",
                "/jobs/" + jobUuid + "/start",
                s.accessToken(),
                json(Map.of("started_at", startedAt)),
                "application/json",
                null);
    }

    /** Uploads the whole log as the first chunk: gzip body, offset 0, size = the log's length in bytes. */
    public void uploadLog(Session s, String jobUuid, String log) {
        byte[] raw = log.getBytes(StandardCharsets.UTF_8);
        call(
                "chunks",
                "POST",
                "/jobs/" + jobUuid + "/chunks?sequence=1&offset=0&size=" + raw.length,
                s.accessToken(),
                gzip(raw),
                "text/plain",
                "gzip");
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

    private JsonNode call(
            String name,
            String method,
            String path,
            String token,
            byte[] body,
            String contentType,
            String contentEncoding) {
        String text = http.send(new AgentHttp.Request(name, method, path, body, contentType, contentEncoding), token)
                .body();
        try {
            return text.isBlank() ? JSON.createObjectNode() : JSON.readTree(text);
        } catch (IOException e) {
            return JSON.createObjectNode();
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
