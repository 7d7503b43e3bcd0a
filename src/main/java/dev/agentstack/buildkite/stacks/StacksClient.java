package dev.agentstack.buildkite.stacks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agentstack.buildkite.AgentApi.AgentApiException;
import dev.agentstack.buildkite.AgentHttp;
import dev.agentstack.buildkite.BuildkiteApiException;
import dev.agentstack.buildkite.ResponseSizeLimit;
import dev.agentstack.config.Durations;
import dev.agentstack.runtime.Version;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * A client of Buildkite's Stacks API (and the agent API's {@code GET /token}) with the cluster's agent token, on the
 * agent API host (agent-endpoint). One request per call, no retry and no sleep: a failed call throws
 * {@link AgentApiException} ({@link AgentApiException#isPermanent()} for a 4xx other than 429), and each endpoint's
 * rate limit is exposed as {@link #readyAt}, the earliest time the caller should call it again (after a 429, a
 * Retry-After, or a window spent), so a caller skips rather than waits. The token is read from its supplier on every
 * call (a rotated Secret is picked up) and never appears in an exception, a log line or {@link #toString()}.
 */
public final class StacksClient {

    /** The most jobs one batch-reserve, get-states or notifications request may carry. */
    public static final int MAX_BATCH = 1000;

    private static final ObjectMapper JSON = new ObjectMapper();

    private final AgentHttp http;
    private final Supplier<String> token;
    private final Clock clock;
    private final Map<StacksEndpoint, Instant> readyAt = new EnumMap<>(StacksEndpoint.class);
    private final Map<StacksEndpoint, StacksRateLimit> lastRateLimit = new EnumMap<>(StacksEndpoint.class);

    public StacksClient(AgentHttp http, Supplier<String> token, Clock clock) {
        this.http = http;
        this.token = token;
        this.clock = clock;
    }

    /**
     * @param endpoint  agent-endpoint, e.g. https://agent.buildkite.com/v3
     * @param sizeLimit max-response-size
     */
    public static StacksClient of(
            String endpoint, Duration timeout, String userAgent, ResponseSizeLimit sizeLimit, Supplier<String> token) {
        return new StacksClient(
                new AgentHttp("Stacks API", endpoint, timeout, userAgent, sizeLimit), token, Clock.systemUTC());
    }

    /** For the buildkite-stack-jobs-source Kamelet, from its properties (durations such as 60s, sizes such as 32Mi). */
    public static StacksClient forKamelet(String endpoint, String token, String timeout, String maxResponseSize) {
        return of(
                endpoint,
                Durations.parse(timeout),
                Version.userAgent(),
                ResponseSizeLimit.of(maxResponseSize),
                () -> token);
    }

    // ---- rate limits --------------------------------------------------------------------------------------------

    /** The earliest time to call {@code endpoint} again; a time in the past when it may be called now. */
    public synchronized Instant readyAt(StacksEndpoint endpoint) {
        return readyAt.getOrDefault(endpoint, Instant.MIN);
    }

    /** True when {@code endpoint} may be called now (no 429, Retry-After or spent window in force). */
    public boolean isReady(StacksEndpoint endpoint) {
        return !clock.instant().isBefore(readyAt(endpoint));
    }

    /** What the last answer of {@code endpoint} said about its rate limit, or null before one came. */
    public synchronized StacksRateLimit lastRateLimit(StacksEndpoint endpoint) {
        return lastRateLimit.get(endpoint);
    }

    // ---- calls --------------------------------------------------------------------------------------------------

    /** {@code GET /token}: the organization and cluster of the agent token. */
    public TokenInfo token() {
        JsonNode t = json(StacksEndpoint.TOKEN, "GET", "/token", null);
        return new TokenInfo(
                text(t, "uuid"),
                text(t, "description"),
                text(t, "token_type"),
                text(t, "organization_slug"),
                text(t, "organization_uuid"),
                text(t, "cluster_uuid"),
                text(t, "cluster_name"),
                text(t, "organization_queue_uuid"),
                text(t, "organization_queue_key"));
    }

    /** {@code POST /stacks/register}, idempotent: type kubernetes, the given metadata (none: {@code {}}). */
    public RegisteredStack register(String key, String queueKey, Map<String, String> metadata) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("key", key);
        body.put("type", "kubernetes");
        body.put("queue_key", queueKey);
        body.put("metadata", metadata == null ? Map.of() : metadata);
        JsonNode s = json(StacksEndpoint.REGISTER, "POST", "/stacks/register", body);
        return new RegisteredStack(
                text(s, "id"),
                orElse(text(s, "key"), key),
                text(s, "type"),
                orElse(text(s, "cluster_queue_key"), queueKey),
                text(s, "state"));
    }

    /** {@code POST /stacks/{key}/deregister}. */
    public void deregister(String key) {
        send(StacksEndpoint.DEREGISTER, "POST", stack(key) + "/deregister", null);
    }

    /** {@code POST /stacks/{key}/deregister}, waiting no longer than {@code bound} (a shutdown must not hang). */
    public void deregister(String key, Duration bound) {
        sendWithin(StacksEndpoint.DEREGISTER, "POST", stack(key) + "/deregister", null, bound);
    }

    /**
     * One page of {@code GET /stacks/{key}/scheduled-jobs}.
     *
     * @param limit 1..1000; 0 or less sends none (the server's default)
     * @param after the previous page's end cursor; null for the first page
     */
    public ScheduledJobsPage scheduledJobs(String key, String queueKey, int limit, String after) {
        StringBuilder path = new StringBuilder(stack(key))
                .append("/scheduled-jobs?queue_key=")
                .append(PathEscape.of(queueKey));
        if (limit > 0) {
            path.append("&limit=").append(Math.min(limit, MAX_BATCH));
        }
        if (after != null && !after.isEmpty()) {
            path.append("&after=").append(PathEscape.of(after));
        }
        AgentHttp.Answer answer = send(StacksEndpoint.LIST, "GET", path.toString(), null);
        JsonNode page = parse(StacksEndpoint.LIST, answer.body());
        if (!page.path("jobs").isArray()) {
            throw new BuildkiteApiException("malformed_response", "Stacks API scheduled-jobs answer has no jobs");
        }
        List<ScheduledJobsPage.ScheduledJob> jobs = new ArrayList<>();
        for (JsonNode j : page.path("jobs")) {
            List<String> rules = new ArrayList<>();
            j.path("agent_query_rules").forEach(r -> rules.add(r.asText()));
            jobs.add(new ScheduledJobsPage.ScheduledJob(
                    text(j, "id"),
                    j.path("priority").asInt(0),
                    rules,
                    instant(text(j, "scheduled_at")),
                    text(j.path("pipeline"), "slug"),
                    j.path("build").path("number").asLong(0),
                    text(j.path("build"), "branch"),
                    text(j.path("step"), "key")));
        }
        JsonNode pageInfo = page.path("page_info");
        JsonNode queue = page.path("cluster_queue");
        boolean paused = queue.path("paused").asBoolean(false)
                || queue.path("dispatch_paused").asBoolean(false);
        return new ScheduledJobsPage(
                jobs,
                pageInfo.path("has_next_page").asBoolean(false),
                text(pageInfo, "end_cursor"),
                paused,
                StacksRateLimit.of(answer.headers()).retryAfter());
    }

    /**
     * {@code PUT /stacks/{key}/scheduled-jobs/batch-reserve} of at most {@link #MAX_BATCH} jobs.
     *
     * @param expirySeconds 0 sends none (Buildkite's default)
     */
    public Reservation reserve(String key, List<String> jobUuids, int expirySeconds) {
        checkBatch(jobUuids.size());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("job_uuids", jobUuids);
        if (expirySeconds > 0) {
            body.put("reservation_expiry_seconds", expirySeconds);
        }
        JsonNode r = json(StacksEndpoint.RESERVE, "PUT", stack(key) + "/scheduled-jobs/batch-reserve", body);
        return new Reservation(texts(r.path("reserved")), texts(r.path("not_reserved")));
    }

    /** {@code GET /stacks/{key}/jobs/{uuid}}: the job's command and env. */
    public StackJob job(String key, String jobUuid) {
        JsonNode j = json(StacksEndpoint.GET_JOB, "GET", stack(key) + "/jobs/" + PathEscape.of(jobUuid), null);
        Map<String, String> env = new LinkedHashMap<>();
        j.path("env")
                .fields()
                .forEachRemaining(e -> env.put(e.getKey(), e.getValue().asText()));
        return new StackJob(orElse(text(j, "id"), jobUuid), env, text(j, "command"));
    }

    /**
     * {@code POST /stacks/{key}/jobs/get-states} of at most {@link #MAX_BATCH} jobs: each job's state (scheduled,
     * reserved, running, canceled, ...); a job the answer left out maps to "".
     */
    public Map<String, String> states(String key, List<String> jobUuids) {
        checkBatch(jobUuids.size());
        JsonNode s =
                json(StacksEndpoint.GET_STATES, "POST", stack(key) + "/jobs/get-states", Map.of("job_uuids", jobUuids));
        Map<String, String> states = new LinkedHashMap<>();
        for (String uuid : jobUuids) {
            states.put(uuid, s.path("states").path(uuid).asText(""));
        }
        return states;
    }

    /**
     * {@code POST /stacks/{key}/jobs/{uuid}/finish}, at most once per job: the exit status always sent (-1 for a job
     * that never ran), the detail cropped to Buildkite's 4 KB ({@link Details#finish}).
     *
     * @param signalReason e.g. {@code stack_error}; null sends none
     */
    public void finish(String key, String jobUuid, int exitStatus, String detail, String signalReason) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("exit_status", exitStatus);
        body.put("detail", Details.finish(detail == null || detail.isEmpty() ? "(no detail)" : detail));
        if (signalReason != null) {
            body.put("signal_reason", signalReason);
        }
        send(StacksEndpoint.FINISH, "POST", stack(key) + "/jobs/" + PathEscape.of(jobUuid) + "/finish", body);
    }

    /**
     * {@code POST /stacks/{key}/notifications} of at most {@link #MAX_BATCH} items, each detail cropped
     * ({@link Details#notification}). Returns the items Buildkite refused; the others were created.
     */
    public List<NotificationError> notify(String key, List<Notification> notifications) {
        checkBatch(notifications.size());
        List<Map<String, Object>> items = new ArrayList<>();
        for (Notification n : notifications) {
            Map<String, Object> item = new LinkedHashMap<>();
            item.put("job_uuid", n.jobUuid());
            item.put("detail", Details.notification(n.detail() == null ? "" : n.detail()));
            if (n.timestamp() != null) {
                item.put("timestamp", n.timestamp().toString());
            }
            items.add(item);
        }
        JsonNode r = json(StacksEndpoint.NOTIFY, "POST", stack(key) + "/notifications", Map.of("notifications", items));
        List<NotificationError> errors = new ArrayList<>();
        for (JsonNode e : r.path("errors")) {
            List<Integer> indexes = new ArrayList<>();
            e.path("indexes").forEach(i -> indexes.add(i.asInt()));
            errors.add(new NotificationError(text(e, "error"), indexes));
        }
        return errors;
    }

    @Override
    public String toString() {
        return "StacksClient"; // never the token
    }

    // ---- HTTP ---------------------------------------------------------------------------------------------------

    private JsonNode json(StacksEndpoint endpoint, String method, String path, Object body) {
        return parse(endpoint, send(endpoint, method, path, body).body());
    }

    private AgentHttp.Answer send(StacksEndpoint endpoint, String method, String path, Object body) {
        return sendWithin(endpoint, method, path, body, null);
    }

    private AgentHttp.Answer sendWithin(
            StacksEndpoint endpoint, String method, String path, Object body, Duration bound) {
        byte[] bytes = null;
        if (body != null) {
            try {
                bytes = JSON.writeValueAsBytes(body);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
        try {
            AgentHttp.Request request = AgentHttp.Request.json(endpoint.callName(), method, path, bytes);
            AgentHttp.Answer answer =
                    bound == null ? http.send(request, token.get()) : http.send(request, token.get(), bound);
            StacksRateLimit limit = StacksRateLimit.of(answer.headers());
            remember(endpoint, limit, limit.readyAt(clock.instant(), false));
            return answer;
        } catch (AgentApiException e) {
            if (e.status() == 429 || e.waitAsked() != null) {
                Duration wait = e.waitAsked() == null ? Duration.ZERO : e.waitAsked();
                Duration atLeast =
                        e.status() == 429 && wait.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1) : wait;
                remember(endpoint, null, clock.instant().plus(atLeast));
            }
            throw e;
        }
    }

    private synchronized void remember(StacksEndpoint endpoint, StacksRateLimit limit, Instant ready) {
        if (limit != null) {
            lastRateLimit.put(endpoint, limit);
        }
        readyAt.put(endpoint, ready);
    }

    private static JsonNode parse(StacksEndpoint endpoint, String body) {
        if (body == null || body.isBlank()) {
            return JSON.createObjectNode();
        }
        try {
            JsonNode n = JSON.readTree(body);
            if (n == null || !n.isObject()) {
                throw new IOException("not a JSON object");
            }
            return n;
        } catch (IOException e) {
            throw new BuildkiteApiException(
                    "malformed_response", "Stacks API " + endpoint.callName() + " answered with malformed JSON");
        }
    }

    private static String stack(String key) {
        return "/stacks/" + PathEscape.of(key);
    }

    private static void checkBatch(int size) {
        if (size > MAX_BATCH) {
            throw new IllegalArgumentException("at most " + MAX_BATCH + " items per request, got " + size);
        }
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.path(field);
        return v.isNull() || v.isMissingNode() ? null : v.asText();
    }

    private static String orElse(String value, String fallback) {
        return value == null || value.isEmpty() ? fallback : value;
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(v -> out.add(v.asText()));
        return out;
    }

    private static Instant instant(String text) {
        if (text == null || text.isEmpty()) {
            return null;
        }
        try {
            return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
