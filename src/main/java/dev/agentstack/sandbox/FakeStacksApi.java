package dev.agentstack.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * {@link FakeBuildkite}'s Stacks API, on the same server under {@code /v3/stacks/...} (and {@code GET /v3/token}),
 * in the wire format of Buildkite's reference: stacks registered by key, scheduled jobs of a cluster queue paged
 * oldest first with an opaque cursor (reserved jobs hidden until their reservation expires), a pause flag sent as
 * both {@code paused} and {@code dispatch_paused}, batch-reserve, job details, job states, finish (once per job),
 * notifications with the documented limits, deregister, and each endpoint's documented rate limit over a sliding
 * second (RateLimit-* headers, 429 with Retry-After). Every call needs {@code Authorization: Token <agent token>}.
 * Its jobs are the GraphQL fake's jobs, so a job scheduled once is seen through either API.
 */
public final class FakeStacksApi {

    /** The queue keys Buildkite and its clients use for a cluster's default queue. */
    static final Set<String> DEFAULT_QUEUE_KEYS = Set.of("_default", "__default__", "~", "-");

    static final int DEFAULT_PAGE_SIZE = 100;
    static final int MAX_ITEMS = 1000;
    static final int MAX_NOTIFICATIONS_PER_JOB = 100;
    static final int MAX_NOTIFICATION_CHARS = 256;
    static final int MAX_DETAIL_BYTES = 4096;
    static final int DEFAULT_RESERVATION_SECONDS = 900;
    static final int MAX_RESERVATION_SECONDS = 3600;
    private static final Pattern STACK_KEY = Pattern.compile("[A-Za-z0-9_-]{1,80}");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A stack as registered. */
    public record Stack(String key, String queueKey, Map<String, String> metadata) {}

    /** A finish as received. */
    public record Finish(String stackKey, String jobUuid, int exitStatus, String detail, String signalReason) {}

    /** A reservation as granted (or extended): by which stack, when, and until when. */
    public record Reservation(String stackKey, String jobUuid, Instant at, Instant until) {}

    /** A notification as created (refused items are not recorded). */
    public record Received(String stackKey, String jobUuid, String detail, Instant timestamp) {}

    private final Object lock;
    private final Map<String, FakeJob> jobs;
    private final Clock clock;
    private final Supplier<String> agentToken;
    private final String clusterUuid = UUID.randomUUID().toString();
    // Guarded by lock:
    private final Map<String, Stack> stacks = new LinkedHashMap<>();
    private final Map<String, String> stackIds = new HashMap<>();
    private final List<Stack> registrations = new ArrayList<>();
    private final List<String> deregistrations = new ArrayList<>();
    private final Set<String> pausedQueues = new HashSet<>();
    private final List<Reservation> reservations = new ArrayList<>();
    private final List<Finish> finishes = new ArrayList<>();
    private final List<Received> notifications = new ArrayList<>();
    private final Map<String, Integer> notificationsPerJob = new HashMap<>();
    private final Map<String, Integer> limits = new HashMap<>(Map.of(
            "token",
            10,
            "register",
            10,
            "deregister",
            10,
            "scheduled-jobs",
            10,
            "batch-reserve",
            10,
            "get-job",
            1000,
            "get-states",
            20,
            "finish",
            100,
            "notifications",
            200));
    private final Map<String, Deque<Instant>> windows = new HashMap<>();
    private final ConcurrentLinkedDeque<Fault> faults = new ConcurrentLinkedDeque<>();
    private final Map<String, AtomicInteger> inFlight = new java.util.concurrent.ConcurrentHashMap<>();
    private final Map<String, Integer> mostInFlight = new java.util.concurrent.ConcurrentHashMap<>();
    private final Object randomFaultsLock = new Object();
    // Guarded by randomFaultsLock:
    private double randomFaultShare;
    private List<Fault> randomFaultKinds = List.of();
    private Set<String> randomFaultEndpoints = Set.of();
    private Random random = new Random(0);
    private final AtomicInteger randomFaultsAnswered = new AtomicInteger();
    private final AtomicInteger randomFaultCandidates = new AtomicInteger();

    FakeStacksApi(Object lock, Map<String, FakeJob> jobs, Clock clock, Supplier<String> agentToken) {
        this.lock = lock;
        this.jobs = jobs;
        this.clock = clock;
        this.agentToken = agentToken;
    }

    // ---- test controls and records ------------------------------------------------------------------------------

    /** The cluster the agent token belongs to, as {@code GET /token} reports it. */
    public String clusterUuid() {
        return clusterUuid;
    }

    /** Pauses dispatch of a cluster queue, as an admin does in Buildkite's UI. */
    public void pauseQueue(String queueKey) {
        synchronized (lock) {
            pausedQueues.add(queueKey);
        }
    }

    public void resumeQueue(String queueKey) {
        synchronized (lock) {
            pausedQueues.remove(queueKey);
        }
    }

    /**
     * Sets an endpoint's requests per second ({@code scheduled-jobs}, {@code batch-reserve}, {@code get-job},
     * {@code get-states}, {@code finish}, {@code notifications}, {@code register}, {@code deregister}, {@code token}).
     */
    public void rateLimit(String endpoint, int perSecond) {
        synchronized (lock) {
            if (!limits.containsKey(endpoint)) {
                throw new IllegalArgumentException("no endpoint " + endpoint);
            }
            limits.put(endpoint, perSecond);
        }
    }

    /** The next Stacks API request is answered with this fault instead (faults queue up, one per request). */
    public void enqueueFault(Fault fault) {
        faults.add(fault);
    }

    /**
     * From now on, a share of the requests to these endpoints (queued faults aside) fails at random with one of these
     * faults, chosen with a seeded generator so a run can be repeated; as {@link FakeBuildkite#randomGraphqlFaults}
     * does for GraphQL. A share of 0 turns it off. A delay fault answers normally after it, so the request still takes
     * effect (a reservation the client gave up waiting for is held all the same).
     *
     * @param endpoints endpoint names as for {@link #rateLimit}, e.g. {@code scheduled-jobs}, {@code batch-reserve}
     */
    public void randomFaults(double share, long seed, List<Fault> faults, Set<String> endpoints) {
        synchronized (lock) {
            for (String endpoint : endpoints) {
                if (!limits.containsKey(endpoint)) {
                    throw new IllegalArgumentException("no endpoint " + endpoint);
                }
            }
        }
        synchronized (randomFaultsLock) {
            randomFaultShare = share;
            randomFaultKinds = List.copyOf(faults);
            randomFaultEndpoints = Set.copyOf(endpoints);
            random = new Random(seed);
        }
    }

    /** How many random faults have been answered so far. */
    public int randomFaultsAnswered() {
        return randomFaultsAnswered.get();
    }

    /** How many requests went to an endpoint that random faults were on for, answered with a fault or not. */
    public int randomFaultCandidates() {
        return randomFaultCandidates.get();
    }

    private Fault nextFault(String endpoint) {
        Fault queued = faults.poll();
        if (queued != null) {
            return queued;
        }
        synchronized (randomFaultsLock) {
            if (randomFaultShare > 0 && randomFaultEndpoints.contains(endpoint)) {
                randomFaultCandidates.incrementAndGet();
                if (random.nextDouble() < randomFaultShare) {
                    randomFaultsAnswered.incrementAndGet();
                    return randomFaultKinds.get(random.nextInt(randomFaultKinds.size()));
                }
            }
        }
        return null;
    }

    /** Ends every reservation now, as if its expiry had passed: the jobs are offered again. */
    public void expireReservations() {
        synchronized (lock) {
            jobs.values().forEach(j -> j.reservedUntil = j.reservedBy == null ? null : clock.instant());
        }
    }

    /** Every job uuid reserved (or whose reservation was extended), in order. */
    public List<String> reservedIds() {
        synchronized (lock) {
            return reservations.stream().map(Reservation::jobUuid).toList();
        }
    }

    /** Every reservation granted (or extended), in order. */
    public List<Reservation> reservations() {
        synchronized (lock) {
            return List.copyOf(reservations);
        }
    }

    public List<Finish> finishes() {
        synchronized (lock) {
            return List.copyOf(finishes);
        }
    }

    public List<Received> notifications() {
        synchronized (lock) {
            return List.copyOf(notifications);
        }
    }

    /** Every register call, in order. */
    public List<Stack> registeredStacks() {
        synchronized (lock) {
            return List.copyOf(registrations);
        }
    }

    /** The keys of every deregistered stack, in order. */
    public List<String> deregisteredStacks() {
        synchronized (lock) {
            return List.copyOf(deregistrations);
        }
    }

    /** The stacks registered and not deregistered. */
    public List<Stack> stacks() {
        synchronized (lock) {
            return List.copyOf(stacks.values());
        }
    }

    // ---- HTTP ---------------------------------------------------------------------------------------------------

    /** True for the paths this API answers (below /v3). */
    static boolean serves(String path) {
        return path.equals("/token") || path.startsWith("/stacks/");
    }

    /** @param rawPath the request's raw path below /v3, still percent-escaped */
    void handle(HttpExchange exchange, String rawPath, String body) throws IOException {
        String endpoint = endpointOf(exchange.getRequestMethod(), segments(rawPath));
        AtomicInteger inFlight = endpoint == null ? null : inFlight(endpoint);
        if (inFlight != null) {
            int now = inFlight.incrementAndGet();
            mostInFlight.merge(endpoint, now, Math::max);
        }
        try {
            answer(exchange, rawPath, body);
        } finally {
            if (inFlight != null) {
                inFlight.decrementAndGet();
            }
        }
    }

    private AtomicInteger inFlight(String endpoint) {
        return inFlight.computeIfAbsent(endpoint, e -> new AtomicInteger());
    }

    /** The most requests to an endpoint (named as for {@link #rateLimit}) that were being answered at once. */
    public int mostConcurrentRequests(String endpoint) {
        return mostInFlight.getOrDefault(endpoint, 0);
    }

    private void answer(HttpExchange exchange, String rawPath, String body) throws IOException {
        String method = exchange.getRequestMethod();
        List<String> seg = segments(rawPath);
        Fault fault = nextFault(endpointOf(method, seg));
        if (fault != null) {
            if (!fault.delay().isZero()) {
                try {
                    Thread.sleep(fault.delay().toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            if (fault.status() != 0) {
                FakeBuildkite.respond(exchange, fault.status(), fault.headers(), fault.body());
                return;
            }
        }
        String auth = exchange.getRequestHeaders().getFirst("Authorization");
        String token = agentToken.get();
        if (token == null || !("Token " + token).equals(auth)) {
            FakeBuildkite.respond(exchange, 401, Map.of(), message("Invalid token"));
            return;
        }
        Map<String, String> query = QueryStrings.parse(exchange.getRequestURI().getRawQuery());
        JsonNode json;
        try {
            json = body.isBlank() ? JSON.createObjectNode() : JSON.readTree(body);
        } catch (IOException e) {
            FakeBuildkite.respond(exchange, 400, Map.of(), message("Invalid JSON in request body"));
            return;
        }
        synchronized (lock) {
            Reply reply = route(method, seg, query, json);
            FakeBuildkite.respond(exchange, reply.status(), reply.headers(), reply.body());
        }
    }

    private record Reply(int status, Map<String, String> headers, String body) {
        static Reply of(int status, String body) {
            return new Reply(status, Map.of(), body);
        }

        Reply with(Map<String, String> rateLimit) {
            Map<String, String> h = new LinkedHashMap<>(headers);
            h.putAll(rateLimit);
            return new Reply(status, h, body);
        }
    }

    private Reply route(String method, List<String> seg, Map<String, String> query, JsonNode json) {
        if (seg.equals(List.of("token")) && method.equals("GET")) {
            return limited("token", "", () -> Reply.of(200, write(tokenInfo())));
        }
        if (seg.size() < 2 || !seg.get(0).equals("stacks")) {
            return Reply.of(404, message("Not Found"));
        }
        if (seg.size() == 2 && seg.get(1).equals("register") && method.equals("POST")) {
            return limited("register", json.path("key").asText(""), () -> register(json));
        }
        String key = seg.get(1);
        String action = String.join("/", seg.subList(2, seg.size()));
        String endpoint = endpoint(method, seg);
        if (endpoint == null) {
            return Reply.of(404, message("Not Found"));
        }
        return limited(endpoint, key, () -> {
            Stack stack = stacks.get(key);
            if (stack == null) {
                return Reply.of(404, message("Stack not found"));
            }
            return switch (endpoint) {
                case "deregister" -> deregister(stack);
                case "scheduled-jobs" -> list(stack, query);
                case "batch-reserve" -> reserve(stack, json);
                case "get-states" -> states(stack, json);
                case "notifications" -> notify(stack, json);
                case "get-job" -> job(seg.get(3));
                case "finish" -> finish(stack, seg.get(3), json);
                default -> Reply.of(404, message("Not Found " + action));
            };
        });
    }

    /** The endpoint (as rate limits name it) a request is for, or null. */
    private static String endpointOf(String method, List<String> seg) {
        if (seg.equals(List.of("token"))) {
            return "token";
        }
        if (seg.equals(List.of("stacks", "register"))) {
            return "register";
        }
        return seg.size() >= 2 && seg.get(0).equals("stacks") ? endpoint(method, seg) : null;
    }

    /** The endpoint a request below /stacks/{key} is for, or null. */
    private static String endpoint(String method, List<String> seg) {
        List<String> rest = seg.subList(2, seg.size());
        if (rest.equals(List.of("deregister")) && method.equals("POST")) {
            return "deregister";
        }
        if (rest.equals(List.of("scheduled-jobs")) && method.equals("GET")) {
            return "scheduled-jobs";
        }
        if (rest.equals(List.of("scheduled-jobs", "batch-reserve")) && method.equals("PUT")) {
            return "batch-reserve";
        }
        if (rest.equals(List.of("jobs", "get-states")) && method.equals("POST")) {
            return "get-states";
        }
        if (rest.equals(List.of("notifications")) && method.equals("POST")) {
            return "notifications";
        }
        if (rest.size() == 2 && rest.get(0).equals("jobs") && method.equals("GET")) {
            return "get-job";
        }
        if (rest.size() == 3 && rest.get(0).equals("jobs") && rest.get(2).equals("finish") && method.equals("POST")) {
            return "finish";
        }
        return null;
    }

    /** Counts the request in its endpoint's sliding second; over the limit, 429 with Retry-After instead. */
    private Reply limited(String endpoint, String stackKey, Supplier<Reply> answer) {
        Instant now = clock.instant();
        int limit = limits.get(endpoint);
        Deque<Instant> window = windows.computeIfAbsent(endpoint + "/" + stackKey, k -> new ArrayDeque<>());
        while (!window.isEmpty() && !window.peekFirst().isAfter(now.minusSeconds(1))) {
            window.pollFirst();
        }
        long reset = window.isEmpty()
                ? 1
                : Math.max(
                        1,
                        (Duration.between(now, window.peekFirst().plusSeconds(1))
                                                .toMillis()
                                        + 999)
                                / 1000);
        if (window.size() >= limit) {
            Map<String, String> h = rateLimitHeaders(endpoint, limit, 0, reset);
            h.put("Retry-After", String.valueOf(reset));
            return new Reply(
                    429,
                    h,
                    write(Map.of(
                            "message",
                            "You have exceeded your API rate limit",
                            "scope",
                            endpoint,
                            "limit",
                            limit,
                            "current",
                            window.size(),
                            "reset",
                            reset)));
        }
        window.addLast(now);
        return answer.get().with(rateLimitHeaders(endpoint, limit, limit - window.size(), reset));
    }

    private static Map<String, String> rateLimitHeaders(String scope, int limit, int remaining, long reset) {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("RateLimit-Scope", scope);
        h.put("RateLimit-Limit", String.valueOf(limit));
        h.put("RateLimit-Remaining", String.valueOf(remaining));
        h.put("RateLimit-Reset", String.valueOf(reset));
        return h;
    }

    private Map<String, Object> tokenInfo() {
        Map<String, Object> t = new LinkedHashMap<>();
        t.put(
                "uuid",
                UUID.nameUUIDFromBytes(agentToken.get().getBytes(StandardCharsets.UTF_8))
                        .toString());
        t.put("description", "fake cluster agent token");
        t.put("token_type", "cluster");
        t.put("organization_slug", "fake-org");
        t.put(
                "organization_uuid",
                UUID.nameUUIDFromBytes("org".getBytes(StandardCharsets.UTF_8)).toString());
        t.put("cluster_uuid", clusterUuid);
        t.put("cluster_name", "fake-cluster");
        t.put("organization_queue_uuid", null);
        t.put("organization_queue_key", null);
        return t;
    }

    private Reply register(JsonNode req) {
        String key = req.path("key").asText("");
        String queueKey = req.path("queue_key").asText("");
        if (!STACK_KEY.matcher(key).matches()) {
            return Reply.of(422, message("key must be 1-80 characters of letters, digits, _ and -"));
        }
        if (queueKey.isEmpty()) {
            return Reply.of(422, message("queue_key is required"));
        }
        if (!req.path("metadata").isObject()) {
            return Reply.of(422, message("metadata is required"));
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        req.path("metadata")
                .fields()
                .forEachRemaining(e -> metadata.put(e.getKey(), e.getValue().asText()));
        boolean updated = stacks.containsKey(key);
        Stack stack = new Stack(key, queueKey, Map.copyOf(metadata));
        stacks.put(key, stack);
        registrations.add(stack);
        String id = stackIds.computeIfAbsent(key, k -> UUID.randomUUID().toString());
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("id", id);
        s.put("organization_uuid", tokenInfo().get("organization_uuid"));
        s.put("key", key);
        s.put("type", req.path("type").asText("custom"));
        s.put("cluster_queue_key", queueKey);
        s.put("metadata", metadata);
        s.put("last_connected_on", null);
        s.put("state", "connected");
        return Reply.of(updated ? 200 : 201, write(s));
    }

    private Reply deregister(Stack stack) {
        stacks.remove(stack.key());
        deregistrations.add(stack.key());
        return Reply.of(204, "");
    }

    private static final Comparator<FakeJob> OLDEST_FIRST =
            Comparator.comparing((FakeJob j) -> j.scheduledAt).thenComparingLong(j -> j.sequence);

    private Reply list(Stack stack, Map<String, String> query) {
        String queueKey = query.get("queue_key");
        if (queueKey == null || queueKey.isEmpty()) {
            return Reply.of(400, message("queue_key is required"));
        }
        int limit = DEFAULT_PAGE_SIZE;
        if (query.containsKey("limit")) {
            try {
                limit = Integer.parseInt(query.get("limit"));
            } catch (NumberFormatException e) {
                limit = -1;
            }
            if (limit < 1 || limit > MAX_ITEMS) {
                return Reply.of(400, message("limit must be between 1 and " + MAX_ITEMS));
            }
        }
        Instant now = clock.instant();
        List<FakeJob> matching = jobs.values().stream()
                .filter(j -> j.state.equals("SCHEDULED") && !j.isReserved(now) && inQueue(j, queueKey))
                .sorted(OLDEST_FIRST)
                .toList();
        int from = 0;
        String after = query.get("after");
        if (after != null) {
            long[] pos = cursorPosition(after);
            if (pos == null) {
                return Reply.of(400, message("Invalid cursor"));
            }
            while (from < matching.size() && compare(matching.get(from), pos) <= 0) {
                from++;
            }
        }
        List<FakeJob> page = matching.subList(from, Math.min(matching.size(), from + limit));
        List<Map<String, Object>> items = new ArrayList<>();
        for (FakeJob j : page) {
            items.add(listItem(j));
        }
        Map<String, Object> pageInfo = new LinkedHashMap<>();
        pageInfo.put("has_next_page", from + page.size() < matching.size());
        pageInfo.put("end_cursor", page.isEmpty() ? after : cursor(page.get(page.size() - 1)));
        Map<String, Object> queue = new LinkedHashMap<>();
        boolean paused = pausedQueues.contains(queueKey);
        queue.put(
                "id",
                UUID.nameUUIDFromBytes(queueKey.getBytes(StandardCharsets.UTF_8))
                        .toString());
        queue.put("paused", paused);
        queue.put("dispatch_paused", paused);
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("jobs", items);
        answer.put("page_info", pageInfo);
        answer.put("cluster_queue", queue);
        return Reply.of(200, write(answer));
    }

    private static Map<String, Object> listItem(FakeJob j) {
        Map<String, Object> item = new LinkedHashMap<>();
        item.put("id", j.uuid);
        item.put("priority", j.priority);
        item.put("agent_query_rules", j.agentQueryRules);
        item.put("scheduled_at", j.scheduledAt.toString());
        item.put(
                "pipeline",
                Map.of(
                        "slug",
                        "pipeline",
                        "uuid",
                        UUID.nameUUIDFromBytes("pipeline".getBytes(StandardCharsets.UTF_8))
                                .toString()));
        item.put(
                "build",
                Map.of(
                        "uuid",
                        UUID.nameUUIDFromBytes(j.uuid.getBytes(StandardCharsets.UTF_8))
                                .toString(),
                        "number",
                        j.sequence,
                        "branch",
                        "main"));
        Map<String, Object> step = new LinkedHashMap<>();
        step.put("key", null);
        item.put("step", step);
        return item;
    }

    /** A job is in the queue its queue tag names; a job without one is in the default queue. */
    private static boolean inQueue(FakeJob j, String queueKey) {
        String queue = null;
        for (String rule : j.agentQueryRules) {
            if (rule.startsWith("queue=")) {
                queue = rule.substring("queue=".length());
            }
        }
        boolean defaultQueue = DEFAULT_QUEUE_KEYS.contains(queueKey);
        return queue == null
                ? defaultQueue
                : queue.equals(queueKey) || defaultQueue && DEFAULT_QUEUE_KEYS.contains(queue);
    }

    private static String cursor(FakeJob j) {
        return Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString(("stack-job:" + j.scheduledAt.toEpochMilli() + ":" + j.sequence)
                        .getBytes(StandardCharsets.UTF_8));
    }

    private static long[] cursorPosition(String cursor) {
        try {
            String[] parts = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8).split(":");
            if (parts.length != 3 || !parts[0].equals("stack-job")) {
                return null;
            }
            return new long[] {Long.parseLong(parts[1]), Long.parseLong(parts[2])};
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static int compare(FakeJob j, long[] pos) {
        int c = Long.compare(j.scheduledAt.toEpochMilli(), pos[0]);
        return c != 0 ? c : Long.compare(j.sequence, pos[1]);
    }

    private Reply reserve(Stack stack, JsonNode req) {
        if (!req.path("job_uuids").isArray()) {
            return Reply.of(400, message("job_uuids is required"));
        }
        if (req.path("job_uuids").size() > MAX_ITEMS) {
            return Reply.of(422, message("at most " + MAX_ITEMS + " job_uuids"));
        }
        int expiry = req.path("reservation_expiry_seconds").asInt(DEFAULT_RESERVATION_SECONDS);
        if (expiry < 0 || expiry > MAX_RESERVATION_SECONDS) {
            return Reply.of(422, message("reservation_expiry_seconds must be at most " + MAX_RESERVATION_SECONDS));
        }
        Instant now = clock.instant();
        List<String> reserved = new ArrayList<>();
        List<String> notReserved = new ArrayList<>();
        for (JsonNode id : req.path("job_uuids")) {
            FakeJob j = jobs.get(id.asText());
            boolean free = j != null
                    && j.state.equals("SCHEDULED")
                    && (!j.isReserved(now) || stack.key().equals(j.reservedBy));
            if (free) {
                j.reservedBy = stack.key();
                j.reservedUntil = now.plusSeconds(expiry == 0 ? DEFAULT_RESERVATION_SECONDS : expiry);
                reserved.add(j.uuid);
                reservations.add(new Reservation(stack.key(), j.uuid, now, j.reservedUntil));
            } else {
                notReserved.add(id.asText());
            }
        }
        return Reply.of(200, write(Map.of("reserved", reserved, "not_reserved", notReserved)));
    }

    private Reply job(String uuid) {
        FakeJob j = jobs.get(uuid);
        if (j == null) {
            return Reply.of(404, message("Job not found"));
        }
        Map<String, String> env = new LinkedHashMap<>();
        for (String kv : j.env) {
            int eq = kv.indexOf('=');
            if (eq > 0) {
                env.put(kv.substring(0, eq), kv.substring(eq + 1));
            }
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("id", j.uuid);
        answer.put("env", env);
        answer.put("command", j.command);
        return Reply.of(200, write(answer));
    }

    /**
     * Jobs' states. A job another stack reserved is left out, as an unknown one is: the API documents answers about a
     * stack's own jobs only, so a client must ask the stack that reserved each job.
     */
    private Reply states(Stack stack, JsonNode req) {
        if (!req.path("job_uuids").isArray()) {
            return Reply.of(400, message("job_uuids is required"));
        }
        if (req.path("job_uuids").size() > MAX_ITEMS) {
            return Reply.of(422, message("at most " + MAX_ITEMS + " job_uuids"));
        }
        Instant now = clock.instant();
        Map<String, String> states = new LinkedHashMap<>();
        for (JsonNode id : req.path("job_uuids")) {
            FakeJob j = jobs.get(id.asText());
            if (j != null && (j.reservedBy == null || j.reservedBy.equals(stack.key()))) {
                states.put(
                        j.uuid,
                        j.state.equals("SCHEDULED") && j.isReserved(now)
                                ? "reserved"
                                : j.state.toLowerCase(Locale.ROOT));
            }
        }
        return Reply.of(200, write(Map.of("states", states)));
    }

    private Reply finish(Stack stack, String uuid, JsonNode req) {
        FakeJob j = jobs.get(uuid);
        if (j == null) {
            return Reply.of(404, message("Job not found"));
        }
        String detail = req.path("detail").asText("");
        if (detail.isEmpty()) {
            return Reply.of(422, message("detail is required"));
        }
        if (detail.getBytes(StandardCharsets.UTF_8).length > MAX_DETAIL_BYTES) {
            return Reply.of(422, message("detail is too long (maximum is 4 KB)"));
        }
        if (Set.of("FINISHED", "CANCELED", "EXPIRED", "TIMED_OUT", "SKIPPED", "BROKEN")
                .contains(j.state)) {
            return Reply.of(422, message("Job is already finished"));
        }
        int exitStatus = req.has("exit_status") ? req.path("exit_status").asInt(-1) : -1;
        String signalReason =
                req.hasNonNull("signal_reason") ? req.path("signal_reason").asText() : null;
        finishes.add(new Finish(stack.key(), uuid, exitStatus, detail, signalReason));
        j.state = "FINISHED";
        j.exitStatus = String.valueOf(exitStatus);
        j.signalReason = signalReason;
        j.finishedAt = clock.instant();
        j.reservedUntil = null;
        return Reply.of(200, "{}");
    }

    private Reply notify(Stack stack, JsonNode req) {
        JsonNode items = req.path("notifications");
        if (!items.isArray()) {
            return Reply.of(400, message("notifications is required"));
        }
        if (items.size() > MAX_ITEMS) {
            return Reply.of(422, message("at most " + MAX_ITEMS + " notifications per request"));
        }
        Instant now = clock.instant();
        Map<String, List<Integer>> errors = new LinkedHashMap<>();
        for (int i = 0; i < items.size(); i++) {
            JsonNode n = items.get(i);
            FakeJob j = jobs.get(n.path("job_uuid").asText(""));
            String detail = n.path("detail").asText("");
            Instant at = n.hasNonNull("timestamp") ? instant(n.path("timestamp").asText()) : now;
            String error = j == null
                    ? "job not found"
                    : detail.isEmpty()
                            ? "detail is required"
                            : detail.codePointCount(0, detail.length()) > MAX_NOTIFICATION_CHARS
                                    ? "detail is too long (maximum is " + MAX_NOTIFICATION_CHARS + " characters)"
                                    : at == null
                                            ? "timestamp is invalid"
                                            : at.isAfter(now)
                                                    ? "timestamp cannot be in the future"
                                                    : at.isBefore(j.createdAt)
                                                            ? "timestamp cannot be before the job was created"
                                                            : j.finishedAt != null
                                                                            && j.finishedAt.isBefore(
                                                                                    now.minusSeconds(300))
                                                                    ? "job finished more than 300 seconds ago"
                                                                    : notificationsPerJob.getOrDefault(j.uuid, 0)
                                                                                    >= MAX_NOTIFICATIONS_PER_JOB
                                                                            ? "job has too many notifications (maximum is "
                                                                                    + MAX_NOTIFICATIONS_PER_JOB + ")"
                                                                            : null;
            if (error != null) {
                errors.computeIfAbsent(error, e -> new ArrayList<>()).add(i);
                continue;
            }
            notificationsPerJob.merge(j.uuid, 1, Integer::sum);
            notifications.add(new Received(stack.key(), j.uuid, detail, at));
        }
        List<Map<String, Object>> list = new ArrayList<>();
        errors.forEach((error, indexes) -> list.add(Map.of("error", error, "indexes", indexes)));
        return Reply.of(200, write(Map.of("errors", list)));
    }

    // ---- helpers ------------------------------------------------------------------------------------------------

    private static List<String> segments(String rawPath) {
        List<String> out = new ArrayList<>();
        for (String s : rawPath.split("/")) {
            if (!s.isEmpty()) {
                out.add(URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    private static Instant instant(String text) {
        try {
            return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    private static String message(String message) {
        return write(Map.of("message", message));
    }

    private static String write(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
