package dev.agentstack.sandbox;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.agentstack.buildkite.BuildkiteJob;
import dev.agentstack.buildkite.GraphqlCost;
import graphql.ExecutionInput;
import graphql.ExecutionResult;
import graphql.GraphQL;
import graphql.GraphQLContext;
import graphql.execution.CoercedVariables;
import graphql.execution.preparsed.PreparsedDocumentEntry;
import graphql.execution.preparsed.PreparsedDocumentProvider;
import graphql.language.StringValue;
import graphql.language.Value;
import graphql.schema.Coercing;
import graphql.schema.CoercingParseLiteralException;
import graphql.schema.CoercingParseValueException;
import graphql.schema.DataFetchingEnvironment;
import graphql.schema.GraphQLScalarType;
import graphql.schema.GraphQLSchema;
import graphql.schema.idl.RuntimeWiring;
import graphql.schema.idl.SchemaGenerator;
import graphql.schema.idl.SchemaParser;
import graphql.schema.idl.TypeRuntimeWiring;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * An in-process stand-in for Buildkite that speaks the real wire format: GraphQL over HTTP at {@code /v1} (every query
 * validated and executed by graphql-java against {@code sandbox/buildkite-schema-subset.graphqls}), the agent REST API
 * and the Stacks API ({@link FakeStacksApi}) at {@code /v3} over the same jobs, with the tokens checked, Relay paging
 * as the real API pages, scripted job states and faults injected on demand. Used by the tests and by demo mode.
 */
public final class FakeBuildkite implements AutoCloseable {

    /** The most {@code first}/{@code last} the real API serves in one page. */
    public static final int MAX_PAGE_SIZE = 500;

    private static final int MAX_RECORDED = 10_000;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One HTTP request as it arrived. Header names are lower-case. */
    public record RecordedRequest(
            String method, String path, String query, Map<String, List<String>> headers, String body, Instant at) {
        public String header(String name) {
            List<String> v = headers.get(name.toLowerCase(Locale.ROOT));
            return v == null || v.isEmpty() ? null : v.get(0);
        }
    }

    /**
     * One read of {@code Organization.jobs}, taken under the fake's lock: when, with which arguments (after variables
     * were substituted) and how many jobs matched them (the connection's {@code count}). A read comes wholly before
     * or wholly after a {@link #scheduleCommands} batch.
     */
    public record JobsRead(Instant at, Map<String, Object> arguments, int count) {}

    /**
     * One agent REST API call: which (register, connect, acquire, ...), by which agent, for which job, with what body.
     */
    public record AgentCall(
            String call, String agentName, String jobUuid, String body, Map<String, List<String>> headers) {}

    private final String orgSlug;
    private final String orgUuid = UUID.randomUUID().toString();
    private final String token;
    private volatile String agentToken;
    private final Map<String, String> agentNamesByAccessToken = new ConcurrentHashMap<>();
    private final ConcurrentLinkedDeque<AgentCall> agentCalls = new ConcurrentLinkedDeque<>();
    private final ConcurrentLinkedDeque<Fault> agentFaults = new ConcurrentLinkedDeque<>();
    private final Clock clock;
    private final java.util.concurrent.atomic.AtomicLong pointsSpent = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong pollPointsSpent = new java.util.concurrent.atomic.AtomicLong();
    /** Guarded by lock; null while the fake counts no GraphQL complexity. */
    private RateLimitWindow rateLimit;

    private final Object lock = new Object();
    private final Map<String, FakeJob> jobs = new LinkedHashMap<>();
    private final AtomicLong sequence = new AtomicLong();
    private final ConcurrentLinkedDeque<Fault> graphqlFaults = new ConcurrentLinkedDeque<>();
    private final Object randomFaultsLock = new Object();
    private double randomFaultShare;
    private List<Fault> randomFaultKinds = List.of();
    private java.util.Random random = new java.util.Random(0);
    private final java.util.concurrent.atomic.AtomicInteger randomFaultsAnswered =
            new java.util.concurrent.atomic.AtomicInteger();
    private final ConcurrentLinkedDeque<RecordedRequest> requests = new ConcurrentLinkedDeque<>();
    private final ConcurrentLinkedDeque<JobsRead> jobsReads = new ConcurrentLinkedDeque<>();
    private final ConcurrentLinkedDeque<String> rejectedQueries = new ConcurrentLinkedDeque<>();
    private final GraphQL graphql;
    private final FakeStacksApi stacksApi;
    private final HttpServer server;
    private final ExecutorService executor;

    private FakeBuildkite(String orgSlug, String token, Clock clock) throws IOException {
        this.orgSlug = orgSlug;
        this.token = token;
        this.clock = clock;
        this.stacksApi = new FakeStacksApi(lock, jobs, clock, () -> agentToken);
        this.graphql = GraphQL.newGraphQL(schema())
                .preparsedDocumentProvider(parsedQueries())
                .build();
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        this.executor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "fake-buildkite");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    /**
     * Parses and validates each distinct query text once, as GraphQL servers do: a controller sends the same few
     * queries with different variables, and parsing them anew on every poll only loads the machine it shares.
     */
    private static PreparsedDocumentProvider parsedQueries() {
        Map<String, PreparsedDocumentEntry> byQuery = new ConcurrentHashMap<>();
        return (input, parseAndValidate) -> {
            PreparsedDocumentEntry entry = byQuery.get(input.getQuery());
            if (entry == null) {
                entry = parseAndValidate.apply(input);
                if (byQuery.size() < 100) { // a test that sends many different queries does not grow it for ever
                    byQuery.put(input.getQuery(), entry);
                }
            }
            return CompletableFuture.completedFuture(entry);
        };
    }

    /** Starts a fake for organization {@code orgSlug} that accepts the API token {@code token}. */
    public static FakeBuildkite start(String orgSlug, String token) {
        return start(orgSlug, token, Clock.systemUTC());
    }

    public static FakeBuildkite start(String orgSlug, String token, Clock clock) {
        try {
            return new FakeBuildkite(orgSlug, token, clock);
        } catch (IOException e) {
            throw new IllegalStateException("cannot start FakeBuildkite: " + e.getMessage(), e);
        }
    }

    public String baseUrl() {
        return "http://" + server.getAddress().getHostString() + ":"
                + server.getAddress().getPort();
    }

    /** What the controller's {@code agent-endpoint} option should be. */
    public String agentEndpoint() {
        return baseUrl() + "/v3";
    }

    /**
     * The Stacks API on this server (below {@link #agentEndpoint()}), with the same jobs: its test controls and
     * records. It accepts the agent token ({@link #withAgentToken}).
     */
    public FakeStacksApi stacks() {
        return stacksApi;
    }

    /** The agent (registration) token {@code register} accepts; without one, registrations are refused. */
    public FakeBuildkite withAgentToken(String agentToken) {
        this.agentToken = agentToken;
        return this;
    }

    /**
     * Counts GraphQL complexity as Buildkite does and says so on every answer: from now on each answer costs one point
     * per object it returns (scalars are free), and carries RateLimit-Limit, RateLimit-Remaining and RateLimit-Reset
     * (seconds until a new window of {@code window} starts with the full limit). Once the points are spent, queries
     * are answered 429 until then. Off by default: no RateLimit headers, no limit.
     */
    public void graphqlRateLimit(int limit, int remaining, Duration window) {
        synchronized (lock) {
            rateLimit = new RateLimitWindow(limit, remaining, clock.instant().plus(window), window);
        }
    }

    /** The GraphQL points left in the current window (see {@link #graphqlRateLimit}). */
    public int graphqlPointsRemaining() {
        synchronized (lock) {
            return rateLimit == null
                    ? Integer.MAX_VALUE
                    : rateLimit.current(clock.instant()).remaining();
        }
    }

    private record RateLimitWindow(int limit, int remaining, Instant resetAt, Duration window) {
        RateLimitWindow current(Instant now) {
            Instant next = resetAt;
            while (!now.isBefore(next)) {
                next = next.plus(window);
            }
            return next.equals(resetAt) ? this : new RateLimitWindow(limit, limit, next, window);
        }

        RateLimitWindow spend(int points) {
            return new RateLimitWindow(limit, Math.max(0, remaining - points), resetAt, window);
        }

        long resetSeconds(Instant now) {
            return (Duration.between(now, resetAt).toMillis() + 999) / 1000;
        }
    }

    /**
     * Buildkite's documented actual complexity of an answer (see {@link GraphqlCost}): a point per object returned, a
     * connection's edges a point as a whole and each node one more; scalars and enums nothing.
     */
    private static int objects(Object data) {
        return GraphqlCost.of(JSON.valueToTree(data));
    }

    /** Every GraphQL point answered since the fake started (or {@link #clearRecords()}), with or without a limit. */
    public long graphqlPointsSpent() {
        return pointsSpent.get();
    }

    /** The points of {@link #graphqlPointsSpent()} that polls of scheduled jobs ({@link #scheduledJobsPolls()}) cost. */
    public long graphqlPointsSpentOnPolls() {
        return pollPointsSpent.get();
    }

    /** The next agent API request is answered with this fault instead. */
    public void enqueueAgentFault(Fault fault) {
        agentFaults.add(fault);
    }

    /** Every agent API call received, in order (the last 10,000). */
    public List<AgentCall> agentCalls() {
        return List.copyOf(agentCalls);
    }

    /** The agent API calls made by the agent named {@code agentName} (the controller names it after the Job). */
    public List<AgentCall> agentCalls(String agentName) {
        return agentCalls.stream().filter(c -> agentName.equals(c.agentName())).toList();
    }

    /** As if an agent had acquired the job: it is no longer SCHEDULED and cannot be acquired again. */
    public void acquireAsAnotherAgent(String uuid) {
        synchronized (lock) {
            FakeJob j = job(uuid);
            j.acquiredBy = "another-agent";
            j.state = "ACCEPTED";
        }
    }

    /** As if the job's own agent had finished it with this exit status. */
    public void finishAsAgent(String uuid, String exitStatus) {
        synchronized (lock) {
            FakeJob j = job(uuid);
            j.acquiredBy = j.acquiredBy == null ? "another-agent" : j.acquiredBy;
            j.state = "FINISHED";
            j.exitStatus = exitStatus;
            j.finishedAt = clock.instant();
        }
    }

    /** What the controller's {@code graphql-endpoint} option should be. */
    public String graphqlEndpoint() {
        return baseUrl() + "/v1";
    }

    public String orgSlug() {
        return orgSlug;
    }

    // ---- jobs -------------------------------------------------------------------------------------------------

    /** Adds a SCHEDULED command job; its creation time is now, so later jobs are newer. */
    public void addJob(BuildkiteJob job, String label, String clusterUuid) {
        synchronized (lock) {
            FakeJob fake = new FakeJob(
                    job.uuid(),
                    label,
                    job.command(),
                    job.agentQueryRules(),
                    job.priority(),
                    job.env(),
                    clusterUuid,
                    clock.instant(),
                    sequence.incrementAndGet());
            if (job.scheduledAt() != null) {
                fake.scheduledAt = job.scheduledAt();
            }
            jobs.put(job.uuid(), fake);
        }
    }

    /** Adds a SCHEDULED job running {@code command} with the given agent tags; returns its uuid. */
    public String scheduleCommand(String command, String... agentQueryRules) {
        return scheduleCommand(command, 0, null, agentQueryRules);
    }

    public String scheduleCommand(String command, int priority, String clusterUuid, String... agentQueryRules) {
        BuildkiteJob job = commandJob(command, priority, agentQueryRules);
        addJob(job, command, clusterUuid);
        return job.uuid();
    }

    /**
     * Adds a SCHEDULED job for each command, all at once: a query sees all of them or none, as a backlog that built up
     * before anyone looked. Returns their uuids in order.
     */
    public List<String> scheduleCommands(List<String> commands, String... agentQueryRules) {
        List<BuildkiteJob> batch =
                commands.stream().map(c -> commandJob(c, 0, agentQueryRules)).toList();
        synchronized (lock) {
            for (int i = 0; i < batch.size(); i++) {
                addJob(batch.get(i), commands.get(i), null);
            }
        }
        return batch.stream().map(BuildkiteJob::uuid).toList();
    }

    private static BuildkiteJob commandJob(String command, int priority, String... agentQueryRules) {
        String uuid = UUID.randomUUID().toString();
        return new BuildkiteJob(
                FakeJob.nodeId(uuid),
                uuid,
                command,
                List.of(agentQueryRules),
                priority,
                null,
                List.of("BUILDKITE_COMMAND=" + command, "BUILDKITE_JOB_ID=" + uuid));
    }

    public void setState(String uuid, String state) {
        synchronized (lock) {
            job(uuid).state = state;
        }
    }

    /**
     * Forgets every job in the given state, as if its build had been deleted; returns how many. Every query scans all
     * jobs, so a long benchmark clears the jobs it is done with, as it clears the API server.
     */
    public int removeJobs(String state) {
        synchronized (lock) {
            int before = jobs.size();
            jobs.values().removeIf(j -> j.state.equals(state));
            return before - jobs.size();
        }
    }

    public String state(String uuid) {
        synchronized (lock) {
            return job(uuid).state;
        }
    }

    public FakeJob.Snapshot snapshot(String uuid) {
        synchronized (lock) {
            return job(uuid).snapshot();
        }
    }

    public List<FakeJob.Snapshot> snapshots() {
        synchronized (lock) {
            return jobs.values().stream().map(FakeJob::snapshot).toList();
        }
    }

    private FakeJob job(String uuid) {
        FakeJob j = jobs.get(uuid);
        if (j == null) {
            throw new IllegalArgumentException("no job " + uuid);
        }
        return j;
    }

    // ---- faults and records -----------------------------------------------------------------------------------

    /**
     * From now on, a share of GraphQL requests (queued faults aside) fails at random with one of these faults, chosen
     * with a seeded generator so a run can be repeated. A share of 0 turns it off.
     */
    public void randomGraphqlFaults(double share, long seed, List<Fault> faults) {
        synchronized (randomFaultsLock) {
            randomFaultShare = share;
            randomFaultKinds = List.copyOf(faults);
            random = new java.util.Random(seed);
        }
    }

    /** How many random faults have been answered so far. */
    public int randomFaultsAnswered() {
        return randomFaultsAnswered.get();
    }

    private Fault nextGraphqlFault() {
        Fault queued = graphqlFaults.poll();
        if (queued != null) {
            return queued;
        }
        synchronized (randomFaultsLock) {
            if (randomFaultShare > 0 && random.nextDouble() < randomFaultShare) {
                randomFaultsAnswered.incrementAndGet();
                return randomFaultKinds.get(random.nextInt(randomFaultKinds.size()));
            }
        }
        return null;
    }

    /** The next GraphQL request is answered with this fault instead (faults queue up, one per request). */
    public void enqueueGraphqlFault(Fault fault) {
        graphqlFaults.add(fault);
    }

    public List<RecordedRequest> requests() {
        return List.copyOf(requests);
    }

    public List<RecordedRequest> graphqlRequests() {
        return requests.stream().filter(r -> r.path().equals("/v1")).toList();
    }

    /**
     * The polls of scheduled jobs among the GraphQL requests (not, e.g., the cancel checker's queries of job states).
     */
    public List<RecordedRequest> scheduledJobsPolls() {
        return graphqlRequests().stream()
                .filter(r -> isScheduledJobsPoll(r.body()))
                .toList();
    }

    private static boolean isScheduledJobsPoll(String query) {
        return query.contains("...ScheduledJobsPage");
    }

    /** The arguments {@code Organization.jobs} was executed with, after variables were substituted. */
    public List<Map<String, Object>> jobsArguments() {
        return jobsReads.stream().map(JobsRead::arguments).toList();
    }

    /** Every read of {@code Organization.jobs}, oldest first (the last 10,000). */
    public List<JobsRead> jobsReads() {
        return List.copyOf(jobsReads);
    }

    /** Queries that failed schema validation: a real API would have rejected them too. Should stay empty. */
    public List<String> rejectedQueries() {
        return List.copyOf(rejectedQueries);
    }

    public void clearRecords() {
        requests.clear();
        jobsReads.clear();
        pointsSpent.set(0);
        pollPointsSpent.set(0);
    }

    // ---- HTTP ---------------------------------------------------------------------------------------------------

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] raw;
            try (InputStream in = exchange.getRequestBody()) {
                raw = in.readAllBytes();
            }
            String body = new String(raw, StandardCharsets.UTF_8);
            record(exchange, body);
            String path = exchange.getRequestURI().getPath();
            if (path.equals("/v1")) {
                handleGraphql(exchange, body);
            } else if (path.startsWith("/v3/") && FakeStacksApi.serves(path.substring("/v3".length()))) {
                stacksApi.handle(exchange, exchange.getRequestURI().getRawPath().substring("/v3".length()), body);
            } else if (path.startsWith("/v3/")) {
                handleAgentApi(exchange, path.substring("/v3".length()), raw);
            } else {
                respond(exchange, 404, Map.of(), "{\"message\":\"Not Found\"}");
            }
        } catch (RuntimeException e) {
            respond(
                    exchange,
                    500,
                    Map.of(),
                    "{\"message\":\"fake failed: " + e.getClass().getSimpleName() + "\"}");
        }
    }

    private void record(HttpExchange exchange, String body) {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        exchange.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), List.copyOf(v)));
        requests.add(new RecordedRequest(
                exchange.getRequestMethod(),
                exchange.getRequestURI().getPath(),
                exchange.getRequestURI().getRawQuery(),
                headers,
                body,
                clock.instant()));
        keepLast(requests);
    }

    private void recordAgentCall(AgentCall call) {
        agentCalls.add(call);
        keepLast(agentCalls);
    }

    /** Records are bounded: in demo mode the fake lives as long as the controller. */
    private static void keepLast(ConcurrentLinkedDeque<?> records) {
        while (records.size() > MAX_RECORDED) {
            records.pollFirst();
        }
    }

    private void handleGraphql(HttpExchange exchange, String body) throws IOException {
        Fault fault = nextGraphqlFault();
        if (fault != null) {
            sleep(fault.delay().toMillis());
            if (fault.status() != 0) {
                respond(exchange, fault);
                return;
            }
        }
        if (!exchange.getRequestMethod().equals("POST")) {
            respond(exchange, 405, Map.of(), "{\"message\":\"Method Not Allowed\"}");
            return;
        }
        if (!("Bearer " + token).equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
            respond(
                    exchange,
                    401,
                    Map.of(),
                    "{\"errors\":[{\"message\":\"Authentication required. Please supply a"
                            + " valid API Access Token as the Authorization header\"}]}");
            return;
        }
        Map<?, ?> request;
        try {
            request = JSON.readValue(body, Map.class);
        } catch (IOException e) {
            respond(exchange, 400, Map.of(), "{\"errors\":[{\"message\":\"Invalid JSON in request body\"}]}");
            return;
        }
        Object query = request.get("query");
        Object variables = request.get("variables");
        if (!(query instanceof String q) || !(variables == null || variables instanceof Map)) {
            respond(exchange, 400, Map.of(), "{\"errors\":[{\"message\":\"A query string is required\"}]}");
            return;
        }
        ExecutionInput.Builder input = ExecutionInput.newExecutionInput().query(q);
        if (request.get("operationName") instanceof String op) {
            input.operationName(op);
        }
        if (variables != null) {
            @SuppressWarnings("unchecked")
            Map<String, Object> vars = (Map<String, Object>) variables;
            input.variables(vars);
        }
        ExecutionResult result;
        Map<String, String> rateLimitHeaders = Map.of();
        Fault spent = null;
        synchronized (lock) {
            if (rateLimit != null) {
                rateLimit = rateLimit.current(clock.instant());
                if (rateLimit.remaining() == 0) { // as Buildkite answers until the window starts again
                    spent = Fault.rateLimitSpent(rateLimit.limit(), rateLimit.resetSeconds(clock.instant()));
                }
            }
            result = spent == null ? graphql.execute(input.build()) : null;
            int points = result == null ? 0 : objects(result.getData());
            pointsSpent.addAndGet(points);
            if (isScheduledJobsPoll(q)) {
                pollPointsSpent.addAndGet(points);
            }
            if (result != null && rateLimit != null) {
                rateLimit = rateLimit.spend(points);
                rateLimitHeaders = Fault.rateLimitHeaders(
                        rateLimit.limit(), rateLimit.remaining(), rateLimit.resetSeconds(clock.instant()));
            }
        }
        if (spent != null) {
            respond(exchange, spent.status(), spent.headers(), spent.body());
            return;
        }
        if (result.getData() == null && !result.getErrors().isEmpty()) {
            rejectedQueries.add(result.getErrors().get(0).getMessage());
            keepLast(rejectedQueries);
        }
        respond(exchange, 200, rateLimitHeaders, JSON.writeValueAsString(result.toSpecification()));
    }

    // ---- agent REST API -----------------------------------------------------------------------------------------

    private void handleAgentApi(HttpExchange exchange, String path, byte[] rawBody) throws IOException {
        String bodyText = new String(
                gunzip(exchange.getRequestHeaders().getFirst("Content-Encoding"), rawBody), StandardCharsets.UTF_8);
        Fault fault = agentFaults.poll();
        if (fault != null) {
            sleep(fault.delay().toMillis());
            if (fault.status() != 0) {
                respond(exchange, fault);
                return;
            }
        }
        String auth = exchange.getRequestHeaders().getFirst("Authorization");
        String presented = auth != null && auth.startsWith("Token ") ? auth.substring("Token ".length()) : null;
        String method = exchange.getRequestMethod();
        Map<String, List<String>> headers = new LinkedHashMap<>();
        exchange.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), List.copyOf(v)));
        if (path.equals("/register") && method.equals("POST")) {
            if (agentToken == null || !agentToken.equals(presented)) {
                respond(exchange, 401, Map.of(), "{\"message\":\"Invalid agent registration token\"}");
                return;
            }
            Map<?, ?> req = JSON.readValue(bodyText, Map.class);
            String name = String.valueOf(req.get("name"));
            String access = "access-" + UUID.randomUUID();
            agentNamesByAccessToken.put(access, name);
            recordAgentCall(new AgentCall("register", name, null, bodyText, headers));
            respond(
                    exchange,
                    200,
                    Map.of(),
                    JSON.writeValueAsString(Map.of(
                            "id",
                            UUID.randomUUID().toString(),
                            "name",
                            name,
                            "access_token",
                            access,
                            "endpoint",
                            agentEndpoint(),
                            "meta_data",
                            req.get("meta_data"))));
            return;
        }
        String agent = presented == null ? null : agentNamesByAccessToken.get(presented);
        if (agent == null) {
            respond(exchange, 401, Map.of(), "{\"message\":\"Invalid access token\"}");
            return;
        }
        if (path.equals("/connect") || path.equals("/disconnect")) {
            recordAgentCall(new AgentCall(path.substring(1), agent, null, bodyText, headers));
            respond(exchange, 200, Map.of(), "{}");
            return;
        }
        String[] parts = path.split("/"); // "", "jobs", uuid, action
        if (parts.length != 4 || !parts[1].equals("jobs")) {
            respond(exchange, 404, Map.of(), "{\"message\":\"Not Found\"}");
            return;
        }
        String uuid = parts[2];
        String action = parts[3];
        recordAgentCall(new AgentCall(action, agent, uuid, bodyText, headers));
        synchronized (lock) {
            FakeJob j = jobs.get(uuid);
            if (j == null) {
                respond(exchange, 404, Map.of(), "{\"message\":\"No job found\"}");
                return;
            }
            switch (action) {
                case "acquire" -> {
                    if (!j.state.equals("SCHEDULED") || j.acquiredBy != null && !j.acquiredBy.equals(agent)) {
                        respond(exchange, 422, Map.of(), "{\"message\":\"Job has already been acquired\"}");
                        return;
                    }
                    j.acquiredBy = agent;
                    j.state = "ACCEPTED";
                }
                case "start" -> {
                    if (!agent.equals(j.acquiredBy)) {
                        respond(exchange, 422, Map.of(), "{\"message\":\"Job not acquired by this agent\"}");
                        return;
                    }
                    j.state = "RUNNING";
                    j.startedAt = clock.instant();
                }
                case "chunks" -> {
                    if (j.chunkSequences.add(
                            QueryStrings.parse(exchange.getRequestURI().getRawQuery())
                                    .getOrDefault("sequence", ""))) {
                        j.log.append(bodyText);
                    }
                }
                case "finish" -> {
                    Map<?, ?> req = JSON.readValue(bodyText, Map.class);
                    j.exitStatus = String.valueOf(req.get("exit_status"));
                    j.signalReason = req.get("signal_reason") == null ? null : String.valueOf(req.get("signal_reason"));
                    j.state = "FINISHED";
                    j.finishedAt = clock.instant();
                }
                default -> {
                    respond(exchange, 404, Map.of(), "{\"message\":\"Not Found\"}");
                    return;
                }
            }
            j.agentApiCalls.add(action);
        }
        respond(exchange, 200, Map.of(), "{\"id\":\"" + uuid + "\"}");
    }

    private static byte[] gunzip(String encoding, byte[] body) throws IOException {
        if (!"gzip".equals(encoding)) {
            return body;
        }
        try (java.util.zip.GZIPInputStream in =
                new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(body))) {
            return in.readAllBytes();
        }
    }

    private static void respond(HttpExchange exchange, Fault fault) throws IOException {
        if (fault.streamed() <= 0) {
            respond(exchange, fault.status(), fault.headers(), fault.body());
            return;
        }
        exchange.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
        fault.headers().forEach((k, v) -> exchange.getResponseHeaders().set(k, v));
        exchange.sendResponseHeaders(fault.status(), fault.declared() ? fault.streamed() : 0);
        byte[] open = "{\"padding\":\"".getBytes(StandardCharsets.UTF_8);
        byte[] close = "\"}".getBytes(StandardCharsets.UTF_8);
        byte[] chunk = new byte[64 * 1024];
        java.util.Arrays.fill(chunk, (byte) 'x');
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(open);
            long left = fault.streamed() - open.length - close.length;
            while (left > 0) {
                int n = (int) Math.min(chunk.length, left);
                out.write(chunk, 0, n);
                left -= n;
            }
            out.write(close);
        } catch (IOException clientHungUp) {
            // what a client that stops reading at its limit does
        }
    }

    /** Answers with a JSON body (none when empty) and these headers; FakeStacksApi answers the same way. */
    static void respond(HttpExchange exchange, int status, Map<String, String> headers, String body)
            throws IOException {
        byte[] bytes = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
        headers.forEach((k, v) -> exchange.getResponseHeaders().set(k, v));
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    private static void sleep(long millis) {
        if (millis <= 0) {
            return;
        }
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- GraphQL ------------------------------------------------------------------------------------------------

    private GraphQLSchema schema() throws IOException {
        String sdl;
        try (InputStream in = FakeBuildkite.class.getResourceAsStream("/sandbox/buildkite-schema-subset.graphqls")) {
            sdl = new String(
                    Objects.requireNonNull(in, "schema subset missing").readAllBytes(), StandardCharsets.UTF_8);
        }
        RuntimeWiring wiring = RuntimeWiring.newRuntimeWiring()
                .scalar(dateTime())
                .type(
                        "Query",
                        b -> b.dataFetcher("organization", this::organization).dataFetcher("job", this::jobByUuid))
                .type("Mutation", b -> b.dataFetcher("jobTypeCommandCancel", this::cancel))
                .type("Organization", b -> b.dataFetcher("jobs", this::jobsConnection))
                .type(TypeRuntimeWiring.newTypeWiring("Job")
                        .typeResolver(env -> env.getSchema().getObjectType("JobTypeCommand")))
                .type(TypeRuntimeWiring.newTypeWiring("Node")
                        .typeResolver(env -> env.getSchema()
                                .getObjectType(
                                        ((Map<?, ?>) env.getObject()).containsKey("slug")
                                                ? "Organization"
                                                : "JobTypeCommand")))
                .type(TypeRuntimeWiring.newTypeWiring("Connection")
                        .typeResolver(env -> env.getSchema().getObjectType("JobConnection")))
                .build();
        return new SchemaGenerator().makeExecutableSchema(new SchemaParser().parse(sdl), wiring);
    }

    private Object organization(DataFetchingEnvironment env) {
        String slug = env.getArgument("slug");
        String uuid = env.getArgument("uuid");
        if (!orgSlug.equals(slug) && !orgUuid.equals(uuid)) {
            return null;
        }
        Map<String, Object> org = new LinkedHashMap<>();
        org.put(
                "id",
                Base64.getEncoder().encodeToString(("Organization---" + orgUuid).getBytes(StandardCharsets.UTF_8)));
        org.put("slug", orgSlug);
        org.put("name", orgSlug);
        org.put("uuid", orgUuid);
        return org;
    }

    private Object jobByUuid(DataFetchingEnvironment env) {
        FakeJob j = jobs.get((String) env.getArgument("uuid"));
        return j == null ? null : node(j);
    }

    private Object jobsConnection(DataFetchingEnvironment env) {
        Map<String, Object> args = new LinkedHashMap<>(env.getArguments());
        List<FakeJob> matching =
                jobs.values().stream().filter(filter(env)).sorted(NEWEST_FIRST).toList();
        jobsReads.add(new JobsRead(clock.instant(), args, matching.size()));
        keepLast(jobsReads);
        Integer first = env.getArgument("first");
        Integer last = env.getArgument("last");
        for (Integer n : new Integer[] {first, last}) {
            if (n != null && (n < 0 || n > MAX_PAGE_SIZE)) {
                throw new IllegalArgumentException("first and last must be between 0 and " + MAX_PAGE_SIZE);
            }
        }
        List<FakeJob> window = new ArrayList<>(matching);
        String after = env.getArgument("after");
        String before = env.getArgument("before");
        if (after != null) {
            long s = cursorSequence(after);
            window.removeIf(j -> j.sequence >= s);
        }
        if (before != null) {
            long s = cursorSequence(before);
            window.removeIf(j -> j.sequence <= s);
        }
        boolean hasNext = false;
        boolean hasPrevious = false;
        if (first != null && window.size() > first) {
            window = new ArrayList<>(window.subList(0, first));
            hasNext = true;
        }
        if (last != null && window.size() > last) {
            window = new ArrayList<>(window.subList(window.size() - last, window.size()));
            hasPrevious = true;
        }
        List<Map<String, Object>> edges = new ArrayList<>();
        for (FakeJob j : window) {
            edges.add(Map.of("cursor", cursor(j), "node", node(j)));
        }
        Map<String, Object> pageInfo = new LinkedHashMap<>();
        pageInfo.put("hasNextPage", hasNext);
        pageInfo.put("hasPreviousPage", hasPrevious);
        pageInfo.put("startCursor", window.isEmpty() ? null : cursor(window.get(0)));
        pageInfo.put("endCursor", window.isEmpty() ? null : cursor(window.get(window.size() - 1)));
        Map<String, Object> connection = new LinkedHashMap<>();
        connection.put("count", matching.size());
        connection.put("edges", edges);
        connection.put("pageInfo", pageInfo);
        return connection;
    }

    private static final Comparator<FakeJob> NEWEST_FIRST =
            Comparator.comparingLong((FakeJob j) -> j.sequence).reversed();

    private Predicate<FakeJob> filter(DataFetchingEnvironment env) {
        List<String> states = env.getArgument("state");
        List<String> types = env.getArgument("type");
        List<String> rules = env.getArgument("agentQueryRules");
        String cluster = env.getArgument("cluster");
        Boolean clustered = env.getArgument("clustered");
        String clusterUuid = cluster == null ? null : decodeNodeId(cluster, "Cluster---");
        return j -> (states == null || states.contains(j.state))
                && (types == null || types.contains("COMMAND"))
                && (rules == null || rules.stream().anyMatch(j.agentQueryRules::contains))
                && (cluster == null || Objects.equals(clusterUuid, j.clusterUuid))
                && (cluster != null || clustered == null || clustered || j.clusterUuid == null);
    }

    private Object cancel(DataFetchingEnvironment env) {
        Map<String, Object> input = env.getArgument("input");
        String id = (String) input.get("id");
        FakeJob j = jobs.values().stream()
                .filter(x -> x.id.equals(id))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("No job found with ID " + id));
        switch (j.state) {
            case "RUNNING" -> j.state = "CANCELING";
            case "FINISHED", "CANCELED", "CANCELING", "SKIPPED", "EXPIRED", "TIMED_OUT", "BROKEN" ->
                throw new IllegalArgumentException("Job can't be canceled in state " + j.state);
            default -> {
                j.state = "CANCELED";
                j.canceledAt = clock.instant();
            }
        }
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("clientMutationId", input.get("clientMutationId"));
        payload.put("jobTypeCommand", node(j));
        return payload;
    }

    private Map<String, Object> node(FakeJob j) {
        Map<String, Object> n = new LinkedHashMap<>();
        n.put("id", j.id);
        n.put("uuid", j.uuid);
        n.put("label", j.label);
        n.put("command", j.command);
        n.put("env", j.env);
        n.put("agentQueryRules", j.agentQueryRules);
        n.put("priority", Map.of("number", j.priority));
        n.put("state", j.state);
        n.put("createdAt", j.createdAt);
        n.put("scheduledAt", j.scheduledAt);
        n.put("runnableAt", j.scheduledAt);
        n.put("startedAt", j.startedAt);
        n.put("finishedAt", j.finishedAt);
        n.put("canceledAt", j.canceledAt);
        n.put("exitStatus", j.exitStatus);
        n.put("url", baseUrl() + "/" + orgSlug + "/pipeline/builds/1#" + j.uuid);
        return n;
    }

    private static String cursor(FakeJob j) {
        return Base64.getEncoder().encodeToString(("job:" + j.sequence).getBytes(StandardCharsets.UTF_8));
    }

    private static long cursorSequence(String cursor) {
        try {
            String s = new String(Base64.getDecoder().decode(cursor), StandardCharsets.UTF_8);
            return Long.parseLong(s.substring("job:".length()));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("Invalid cursor");
        }
    }

    private static String decodeNodeId(String id, String prefix) {
        try {
            String s = new String(Base64.getDecoder().decode(id), StandardCharsets.UTF_8);
            return s.startsWith(prefix) ? s.substring(prefix.length()) : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static GraphQLScalarType dateTime() {
        return GraphQLScalarType.newScalar()
                .name("DateTime")
                .description("An ISO-8601 encoded UTC date string")
                .coercing(new Coercing<Object, String>() {
                    @Override
                    public String serialize(Object value, GraphQLContext context, Locale locale) {
                        Instant i = value instanceof Instant in ? in : Instant.parse(value.toString());
                        return DateTimeFormatter.ISO_INSTANT.format(i.truncatedTo(ChronoUnit.MILLIS));
                    }

                    @Override
                    public Object parseValue(Object input, GraphQLContext context, Locale locale) {
                        try {
                            return Instant.parse(input.toString());
                        } catch (RuntimeException e) {
                            throw new CoercingParseValueException("Invalid DateTime: " + input);
                        }
                    }

                    @Override
                    public Object parseLiteral(
                            Value<?> input, CoercedVariables variables, GraphQLContext context, Locale locale) {
                        if (input instanceof StringValue s) {
                            return parseValue(s.getValue(), context, locale);
                        }
                        throw new CoercingParseLiteralException("DateTime must be a string");
                    }
                })
                .build();
    }

    /** Every job the fake holds, in creation order. */
    public Collection<String> uuids() {
        synchronized (lock) {
            return List.copyOf(jobs.keySet());
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
