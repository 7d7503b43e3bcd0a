package dev.agentstack.config;

import static dev.agentstack.config.Option.Kind.BOOLEAN;
import static dev.agentstack.config.Option.Kind.DURATION;
import static dev.agentstack.config.Option.Kind.INTEGER;
import static dev.agentstack.config.Option.Kind.LIST;
import static dev.agentstack.config.Option.Kind.NUMBER;
import static dev.agentstack.config.Option.Kind.OBJECT;
import static dev.agentstack.config.Option.Kind.OBJECT_LIST;
import static dev.agentstack.config.Option.Kind.STRING;

import dev.agentstack.kubernetes.KubernetesNames;
import dev.agentstack.podspec.AgentConfig;
import dev.agentstack.podspec.CheckoutParams;
import dev.agentstack.podspec.CommandParams;
import dev.agentstack.podspec.PodMetadata;
import dev.agentstack.podspec.ResourceClass;
import dev.agentstack.podspec.SidecarParams;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The catalogue of every configuration option: one source of truth for the command line, the config file, the
 * environment, the Camel properties the routes read, {@code --help}, docs/configuration.md and the Helm schema.
 * Names and defaults follow the original controller (agent-stack-k8s).
 */
public final class Options {

    /** A Kubernetes label value: at most 63 characters, alphanumeric at both ends. */
    static final Pattern LABEL_VALUE = Pattern.compile("(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?");
    /** A DNS-1123 label, as namespaces must be. */
    static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");

    static final Pattern UUID =
            Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

    public static final String DEFAULT_GRAPHQL_ENDPOINT = "https://graphql.buildkite.com/v1";
    public static final List<String> DEFAULT_TAGS = List.of("queue=kubernetes");
    public static final String DEFAULT_ID = "agent-stack-camel";
    public static final String DEFAULT_NAMESPACE = "default";
    public static final int DEFAULT_MAX_IN_FLIGHT = 25;
    public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofSeconds(1);
    public static final Duration MIN_POLL_INTERVAL = Duration.ofSeconds(1);
    public static final Duration DEFAULT_JOB_TTL = Duration.ofMinutes(10);
    /** The newest agent that agent-stack-k8s v0.47.0 pins; it has {@code buildkite-agent kubernetes-bootstrap}. */
    public static final String DEFAULT_IMAGE = "ghcr.io/buildkite/agent:3.136.2";

    public static final String DEFAULT_AGENT_TOKEN_SECRET = "buildkite-agent-token";
    public static final Duration DEFAULT_IMAGE_PULL_BACKOFF_GRACE_PERIOD = Duration.ofSeconds(30);
    public static final int DEFAULT_GRAPHQL_PAGE_SIZE = 100;
    public static final int MAX_GRAPHQL_PAGE_SIZE = 500;
    public static final int DEFAULT_PAGINATION_DEPTH_LIMIT = 20;
    public static final int MAX_PAGINATION_DEPTH_LIMIT = 20;
    public static final Duration DEFAULT_HTTP_TIMEOUT = Duration.ofSeconds(60);
    public static final String DEFAULT_MAX_RESPONSE_SIZE = "32Mi";

    public static final Option<String> ORG = Option.of(
                    "org", STRING, (String) null, "Buildkite organization slug to poll for scheduled jobs")
            .required();

    public static final Option<String> BUILDKITE_TOKEN = Option.of(
                    "buildkite-token", STRING, (String) null, "Buildkite API token with GraphQL scope")
            .required()
            .secret()
            .alsoFromEnv("BUILDKITE_TOKEN");

    public static final Option<String> GRAPHQL_ENDPOINT = Option.of(
                    "graphql-endpoint", STRING, DEFAULT_GRAPHQL_ENDPOINT, "Buildkite GraphQL API endpoint")
            .originalEnv()
            .check(Option.rule(Endpoints::problem));

    public static final Option<String> CLUSTER_UUID = Option.of(
                    "cluster-uuid",
                    STRING,
                    "",
                    "UUID of the Buildkite cluster whose jobs to run; empty polls unclustered jobs")
            .check(Option.rule(v -> v.isEmpty() || UUID.matcher(v).matches()
                    ? null
                    : "expected a cluster UUID such as beefcafe-abbe-baba-abba-deedcedecade, got \"" + v + "\""));

    public static final Option<List<String>> TAGS = Option.of(
                    "tags",
                    LIST,
                    DEFAULT_TAGS,
                    "Agent tags of this controller as key=value; must contain exactly one queue tag")
            .originalEnv()
            .check(Option.rule(Options::tagsProblem));

    public static final Option<String> ID = Option.of(
                    "id",
                    STRING,
                    DEFAULT_ID,
                    "Controller id: the value of the buildkite.com/controller-id label on every Job it creates and watches")
            .originalEnv("BUILDKITE_K8S_STACK_CONTROLLER_ID")
            .check(Option.rule(v ->
                    !v.isEmpty() && v.length() <= 63 && LABEL_VALUE.matcher(v).matches()
                            ? null
                            : "must be a valid Kubernetes label value (1-63 characters: letters, digits, '-', '_', '.'),"
                                    + " got \"" + v + "\""));

    public static final Option<String> NAMESPACE = Option.of(
                    "namespace", STRING, DEFAULT_NAMESPACE, "Kubernetes namespace to create Jobs in")
            .originalEnv()
            .check(Option.rule(v -> v.length() <= 63 && DNS_LABEL.matcher(v).matches()
                    ? null
                    : "must be a valid namespace name (lower-case letters, digits and '-'), got \"" + v + "\""));

    public static final Option<Integer> MAX_IN_FLIGHT = Option.of(
                    "max-in-flight",
                    INTEGER,
                    DEFAULT_MAX_IN_FLIGHT,
                    "Maximum number of unfinished Jobs at once; 0 means no limit")
            .originalEnv()
            .check(Option.rule(v -> v >= 0 ? null : "must be 0 or more, got " + v));

    public static final Option<List<Map<String, Object>>> QUEUES = Option.of(
                    "queues",
                    OBJECT_LIST,
                    List.<Map<String, Object>>of(),
                    "Several queues in one controller: entries of tags (exactly one queue tag),"
                            + " optional max-in-flight (default: max-in-flight), optional pod-spec-patch (applied after"
                            + " pod-spec-patch) and optional pod policy options (pod-security-level, allowed-images, ...; see"
                            + " docs/security.md); when set, tags is not used")
            .check(Option.rule(Options::queuesProblem));

    public static final Option<Duration> POLL_INTERVAL = Option.of(
                    "poll-interval",
                    DURATION,
                    DEFAULT_POLL_INTERVAL,
                    "Time between polls for scheduled jobs (at least 1s)")
            .originalEnv()
            .check(atLeast(MIN_POLL_INTERVAL));

    public static final Option<Duration> JOB_TTL = Option.of(
                    "job-ttl",
                    DURATION,
                    DEFAULT_JOB_TTL,
                    "How long Kubernetes keeps a finished Job (ttlSecondsAfterFinished)")
            .originalEnv()
            .check(atLeast(Duration.ZERO));

    public static final Option<String> IMAGE = Option.of(
                    "image",
                    STRING,
                    DEFAULT_IMAGE,
                    "Buildkite agent image for the agent, checkout and copy-agent containers (needs kubernetes-bootstrap,"
                            + " agent 3.110 or newer)")
            .originalEnv()
            .check(Option.rule(v -> v.isBlank() ? "must not be empty" : null));

    public static final Option<String> AGENT_TOKEN_SECRET = Option.of(
                    "agent-token-secret",
                    STRING,
                    DEFAULT_AGENT_TOKEN_SECRET,
                    "Name of the Secret (key BUILDKITE_AGENT_TOKEN) that holds the agent token")
            .originalEnv()
            .check(Option.rule(v -> v.isBlank() ? "must not be empty" : null));

    public static final Option<Duration> IMAGE_PULL_BACKOFF_GRACE_PERIOD = Option.of(
                    "image-pull-backoff-grace-period",
                    DURATION,
                    DEFAULT_IMAGE_PULL_BACKOFF_GRACE_PERIOD,
                    "How long a pod may fail to pull an image before its job is failed")
            .originalEnv()
            .check(atLeast(Duration.ZERO));

    public static final Option<Boolean> PROHIBIT_KUBERNETES_PLUGIN = Option.of(
                    "prohibit-kubernetes-plugin",
                    BOOLEAN,
                    false,
                    "Fail every job that uses the kubernetes plugin, so pipelines cannot change the pod spec")
            .originalEnv();

    public static final Option<Boolean> DEBUG = Option.of(
                    "debug", BOOLEAN, false, "Log at debug level (the same as log-level debug)")
            .originalEnv();

    public static final List<String> LOG_FORMATS = List.of("text", "json", "logfmt");
    public static final List<String> LOG_LEVELS = List.of("debug", "info", "warn", "error");

    public static final Option<String> LOG_FORMAT = Option.of(
                    "log-format", STRING, "text", "How log lines are written: text, json (one object a line) or logfmt")
            .originalEnv()
            .check(oneOf(LOG_FORMATS));

    public static final Option<String> LOG_LEVEL = Option.of(
                    "log-level", STRING, "info", "Least severe level logged: debug, info, warn or error")
            .originalEnv()
            .check(oneOf(LOG_LEVELS));

    public static final Option<Integer> GRAPHQL_PAGE_SIZE = Option.of(
                    "graphql-page-size", INTEGER, DEFAULT_GRAPHQL_PAGE_SIZE, "Jobs fetched per GraphQL page (1-500)")
            .check(Option.rule(v -> v >= 1 && v <= MAX_GRAPHQL_PAGE_SIZE
                    ? null
                    : "must be between 1 and " + MAX_GRAPHQL_PAGE_SIZE + ", got " + v));

    public static final Option<Integer> PAGINATION_DEPTH_LIMIT = Option.of(
                    "pagination-depth-limit",
                    INTEGER,
                    DEFAULT_PAGINATION_DEPTH_LIMIT,
                    "Most pages of jobs read per poll, from either API (1-20)")
            .originalEnv()
            .check(Option.rule(v -> v >= 1 && v <= MAX_PAGINATION_DEPTH_LIMIT
                    ? null
                    : "must be between 1 and " + MAX_PAGINATION_DEPTH_LIMIT + ", got " + v));

    // ---- job source: Buildkite's GraphQL API or its Stacks API

    public static final List<String> BUILDKITE_APIS = List.of("graphql", "stacks");
    public static final String DEFAULT_QUEUE_KEY = "_default";
    public static final int DEFAULT_PAGINATION_PAGE_SIZE = 1000;
    public static final int MAX_PAGINATION_PAGE_SIZE = 1000;
    public static final int DEFAULT_RESERVATION_EXPIRY_SECONDS = 900;
    public static final int MAX_RESERVATION_EXPIRY_SECONDS = 3600;
    public static final Duration DEFAULT_QUERY_RESET_INTERVAL = Duration.ofSeconds(10);
    public static final int DEFAULT_WORK_QUEUE_LIMIT = 1_000_000;

    public static final Option<String> BUILDKITE_API = Option.of(
                    "buildkite-api",
                    STRING,
                    (String) null,
                    "Where jobs come from: graphql (a GraphQL token, the organization's budget) or stacks (the cluster's"
                            + " agent token only); unset: graphql when a GraphQL token is given, else stacks")
            .check(oneOf(BUILDKITE_APIS));

    public static final Option<String> QUEUE = Option.of(
                    "queue",
                    STRING,
                    (String) null,
                    "Cluster queue key the Stacks API stack serves; unset: the queue tag, else " + DEFAULT_QUEUE_KEY)
            .originalEnv();

    public static final Option<Integer> PAGINATION_PAGE_SIZE = Option.of(
                    "pagination-page-size",
                    INTEGER,
                    DEFAULT_PAGINATION_PAGE_SIZE,
                    "Jobs fetched per Stacks API page (1-1000)")
            .originalEnv()
            .check(Option.rule(v -> v >= 1 && v <= MAX_PAGINATION_PAGE_SIZE
                    ? null
                    : "must be between 1 and " + MAX_PAGINATION_PAGE_SIZE + ", got " + v));

    public static final Option<Boolean> ENABLE_QUEUE_PAUSE = Option.of(
                    "enable-queue-pause",
                    BOOLEAN,
                    true,
                    "Create no Jobs while the cluster queue is paused in Buildkite (Stacks API)")
            .originalEnv();

    public static final Option<Integer> RESERVATION_EXPIRY_SECONDS = Option.of(
                    "reservation-expiry-seconds",
                    INTEGER,
                    DEFAULT_RESERVATION_EXPIRY_SECONDS,
                    "How long a job reserved through the Stacks API stays held for this"
                            + " stack before Buildkite offers it again (0-3600; 0: Buildkite's default)")
            .originalEnv()
            .check(Option.rule(v -> v >= 0 && v <= MAX_RESERVATION_EXPIRY_SECONDS
                    ? null
                    : "must be between 0 and " + MAX_RESERVATION_EXPIRY_SECONDS + ", got " + v));

    public static final Option<Duration> QUERY_RESET_INTERVAL = Option.of(
                    "query-reset-interval",
                    DURATION,
                    DEFAULT_QUERY_RESET_INTERVAL,
                    "How long a poll may continue from the previous poll's last page before it"
                            + " starts again from the first page (Stacks API)")
            .originalEnv()
            .check(atLeast(Duration.ZERO));

    public static final Option<Integer> WORK_QUEUE_LIMIT = Option.of(
                    "work-queue-limit",
                    INTEGER,
                    DEFAULT_WORK_QUEUE_LIMIT,
                    "Most jobs of one poll handed on for creation, highest priority first")
            .originalEnv()
            .check(Option.rule(v -> v >= 1 ? null : "must be at least 1, got " + v));

    public static final double DEFAULT_GRAPHQL_BUDGET_SHARE = 0.25;

    public static final Option<Double> GRAPHQL_BUDGET_SHARE = Option.of(
                    "graphql-budget-share",
                    NUMBER,
                    DEFAULT_GRAPHQL_BUDGET_SHARE,
                    "Share of the organization's GraphQL points per rate-limit window that polls"
                            + " may spend (0-1, above 0); every other API client of the organization shares the rest")
            .check(Option.rule(v -> v > 0 && v <= 1 ? null : "must be above 0 and at most 1, got " + v));

    public static final Option<Duration> HTTP_TIMEOUT = Option.of(
                    "http-timeout", DURATION, DEFAULT_HTTP_TIMEOUT, "Timeout of each call to the Buildkite APIs")
            .originalEnv()
            .check(atLeast(Duration.ofMillis(100)));

    public static final Option<String> MAX_RESPONSE_SIZE = Option.of(
                    "max-response-size",
                    STRING,
                    DEFAULT_MAX_RESPONSE_SIZE,
                    "Most bytes read of one Buildkite answer (a quantity such as 32Mi, or bytes);"
                            + " a larger answer is a failed call")
            .check(Option.rule(v -> {
                try {
                    ByteSizes.parse(v);
                    return null;
                } catch (IllegalArgumentException e) {
                    return "must be a positive quantity of bytes such as 32Mi or 1000000, got \"" + v + "\"";
                }
            }));

    public static final Option<Map<String, Object>> POD_SPEC_PATCH = Option.of(
            "pod-spec-patch",
            OBJECT,
            (Map<String, Object>) null,
            "Strategic merge patch applied to every pod spec the controller builds");
    // (its cross-option rules, commands and image case, are checked in ConfigLoader.validate)

    public static final Option<Map<String, Object>> DEFAULT_CHECKOUT_PARAMS = Option.of(
                    "default-checkout-params",
                    OBJECT,
                    (Map<String, Object>) null,
                    "Checkout parameters applied to every job before the plugin's checkout")
            .check(Option.rule(v -> objectProblem(v, CheckoutParams.class, p -> null)));

    public static final Option<Map<String, Object>> DEFAULT_COMMAND_PARAMS = Option.of(
                    "default-command-params",
                    OBJECT,
                    (Map<String, Object>) null,
                    "Command-container parameters applied before the plugin's commandParams")
            .check(Option.rule(v -> objectProblem(v, CommandParams.class, p -> null)));

    public static final Option<Map<String, Object>> DEFAULT_SIDECAR_PARAMS = Option.of(
                    "default-sidecar-params",
                    OBJECT,
                    (Map<String, Object>) null,
                    "Sidecar parameters applied before the plugin's sidecarParams")
            .check(Option.rule(v -> objectProblem(v, SidecarParams.class, p -> null)));

    public static final Option<Map<String, Object>> DEFAULT_METADATA = Option.of(
                    "default-metadata",
                    OBJECT,
                    (Map<String, Object>) null,
                    "Labels and annotations for every Job, before the plugin's metadata")
            .check(Option.rule(v -> objectProblem(v, PodMetadata.class, PodMetadata::problem)));

    public static final Option<Map<String, Object>> RESOURCE_CLASSES = Option.of(
                    "resource-classes",
                    OBJECT,
                    (Map<String, Object>) null,
                    "Named {resource, podResource, nodeSelector} for pods, chosen by the job tag"
                            + " resource_class (or default-resource-class-name)")
            .check(Option.rule(Options::resourceClassesProblem));

    public static final Option<String> DEFAULT_RESOURCE_CLASS_NAME = Option.of(
                    "default-resource-class-name",
                    STRING,
                    "",
                    "The resource class of jobs without a resource_class tag; empty: none")
            .fileOnly();

    public static final Option<List<String>> ADDITIONAL_REDACTED_VARS = Option.of(
                    "additional-redacted-vars",
                    LIST,
                    List.<String>of(),
                    "Extra variable-name patterns the agent redacts from job logs")
            .fileOnly();

    // ---- scheduling: in-flight accounting, throttling, leader election, management

    public static final Duration DEFAULT_STALE_JOB_DATA_TIMEOUT = Duration.ofSeconds(10);
    public static final int DEFAULT_JOB_CREATION_CONCURRENCY = 25;
    /** 0: the API server's own flow control (APF, 429 with Retry-After) paces us; see docs/benchmark.md. */
    public static final int DEFAULT_K8S_CLIENT_QPS = 0;

    public static final int DEFAULT_K8S_CLIENT_BURST = 20;
    public static final Duration DEFAULT_IN_FLIGHT_RECONCILE_INTERVAL = Duration.ofSeconds(30);
    public static final Duration DEFAULT_LEASE_DURATION = Duration.ofSeconds(15);
    public static final Duration DEFAULT_RENEW_DEADLINE = Duration.ofSeconds(10);
    public static final Duration DEFAULT_RETRY_PERIOD = Duration.ofSeconds(2);
    public static final int DEFAULT_MANAGEMENT_PORT = 8080;

    public static final Option<Duration> STALE_JOB_DATA_TIMEOUT = Option.of(
                    "stale-job-data-timeout",
                    DURATION,
                    DEFAULT_STALE_JOB_DATA_TIMEOUT,
                    "Jobs fetched longer ago than this are not created from that data; a later poll sees them again")
            .check(atLeast(Duration.ofSeconds(1)));

    public static final Option<Integer> JOB_CREATION_CONCURRENCY = Option.of(
                    "job-creation-concurrency",
                    INTEGER,
                    DEFAULT_JOB_CREATION_CONCURRENCY,
                    "Most Job creations in progress at once")
            .originalEnv()
            .check(Option.rule(v -> v >= 1 && v <= 1000 ? null : "must be between 1 and 1000, got " + v));

    public static final Option<Integer> K8S_CLIENT_RATE_LIMITER_QPS = Option.of(
                    "k8s-client-rate-limiter-qps",
                    INTEGER,
                    DEFAULT_K8S_CLIENT_QPS,
                    "Most Kubernetes API writes (creates, deletes) per second, on average; 0 means no limit")
            .originalEnv()
            .check(Option.rule(v -> v >= 0 ? null : "must be 0 or more, got " + v));

    public static final Option<Integer> K8S_CLIENT_RATE_LIMITER_BURST = Option.of(
                    "k8s-client-rate-limiter-burst",
                    INTEGER,
                    DEFAULT_K8S_CLIENT_BURST,
                    "Kubernetes API writes allowed in a burst above the QPS rate")
            .originalEnv()
            .check(Option.rule(v -> v >= 1 ? null : "must be at least 1, got " + v));

    public static final Option<Duration> IN_FLIGHT_RECONCILE_INTERVAL = Option.of(
                    "in-flight-reconcile-interval",
                    DURATION,
                    DEFAULT_IN_FLIGHT_RECONCILE_INTERVAL,
                    "How often our Jobs are listed again to correct the in-flight count")
            .check(atLeast(Duration.ofSeconds(1)));

    public static final Option<Boolean> LEADER_ELECTION = Option.of(
            "leader-election",
            BOOLEAN,
            false,
            "Elect one scheduling replica through a Kubernetes Lease; the others stand by (the chart turns it on"
                    + " with more than one replica)");

    public static final Option<String> LEADER_ELECTION_LEASE_NAME = Option.of(
                    "leader-election-lease-name",
                    STRING,
                    "",
                    "Name of the Lease replicas compete for; empty means <id>-leader")
            .check(Option.rule(
                    v -> v.isEmpty() || v.length() <= 63 && DNS_LABEL.matcher(v).matches() && v.indexOf('-') > 0
                            ? null
                            : "must be a valid Lease name containing a '-', got \"" + v + "\""));

    public static final Option<String> LEADER_ELECTION_NAMESPACE = Option.of(
                    "leader-election-namespace",
                    STRING,
                    "",
                    "Namespace of the leader Lease and of the controller's own pods; empty means the namespace option (the"
                            + " chart sets the release namespace)")
            .check(Option.rule(v -> v.isEmpty()
                            || v.length() <= 63 && DNS_LABEL.matcher(v).matches()
                    ? null
                    : "must be a valid namespace name (lower-case letters, digits and '-'), got \"" + v + "\""));

    public static final Option<List<String>> LEADER_ELECTION_POD_SELECTOR = Option.of(
                    "leader-election-pod-selector",
                    LIST,
                    List.of("app.kubernetes.io/name=agent-stack-camel"),
                    "Labels (key=value) of the controller's own pods: only Running, Ready pods with them may lead (the chart"
                            + " sets its selector labels)")
            .check(Option.rule(v -> v.isEmpty()
                    ? "must name at least one label, or every pod in the namespace is listed"
                    : v.stream()
                            .filter(l -> l.indexOf('=') <= 0)
                            .map(l -> "label \"" + l + "\" is not key=value")
                            .findFirst()
                            .orElse(null)));

    public static final Option<Duration> LEADER_ELECTION_LEASE_DURATION = Option.of(
                    "leader-election-lease-duration",
                    DURATION,
                    DEFAULT_LEASE_DURATION,
                    "How long a leader's Lease stays valid without renewal; a standby takes over after it")
            .check(atLeast(Duration.ofSeconds(1)));

    public static final Option<Duration> LEADER_ELECTION_RENEW_DEADLINE = Option.of(
                    "leader-election-renew-deadline",
                    DURATION,
                    DEFAULT_RENEW_DEADLINE,
                    "How long the leader keeps trying to renew before it gives up leading")
            .check(atLeast(Duration.ofMillis(100)));

    public static final Option<Duration> LEADER_ELECTION_RETRY_PERIOD = Option.of(
                    "leader-election-retry-period",
                    DURATION,
                    DEFAULT_RETRY_PERIOD,
                    "Time between attempts to acquire or renew the Lease")
            .check(atLeast(Duration.ofMillis(50)));

    public static final Option<Integer> PROMETHEUS_PORT = Option.of(
                    "prometheus-port",
                    INTEGER,
                    0,
                    "Also serve the Prometheus metrics at /metrics on this port (the original's option); 0 turns it off")
            .originalEnv()
            .check(Option.rule(v -> v >= 0 && v <= 65535 ? null : "must be a port number (0 turns it off), got " + v));

    public static final Option<Integer> MANAGEMENT_PORT = Option.of(
                    "management-port",
                    INTEGER,
                    DEFAULT_MANAGEMENT_PORT,
                    "Port of the health (/observe/health/live, /observe/health/ready) and Prometheus metrics"
                            + " (/observe/metrics) endpoints; 0 turns them off")
            .check(Option.rule(v -> v >= 0 && v <= 65535 ? null : "must be a port number (0 turns it off), got " + v));

    // ---- pod and job events

    public static final String DEFAULT_AGENT_ENDPOINT = "https://agent.buildkite.com/v3";
    public static final Duration DEFAULT_JOB_CANCEL_CHECKER_POLL_INTERVAL = Duration.ofSeconds(5);
    public static final Duration DEFAULT_EMPTY_JOB_GRACE_PERIOD = Duration.ofSeconds(30);
    public static final Duration DEFAULT_POD_PENDING_TIMEOUT = Duration.ofMinutes(15);

    public static final Option<String> AGENT_ENDPOINT = Option.of(
                    "agent-endpoint",
                    STRING,
                    DEFAULT_AGENT_ENDPOINT,
                    "Buildkite agent API the controller fails jobs through (with the agent token)")
            .check(Option.rule(Endpoints::problem));

    public static final Option<Duration> JOB_CANCEL_CHECKER_POLL_INTERVAL = Option.of(
                    "job-cancel-checker-poll-interval",
                    DURATION,
                    DEFAULT_JOB_CANCEL_CHECKER_POLL_INTERVAL,
                    "How often jobs without a running pod are checked for cancellation in Buildkite; each check asks about at"
                            + " most 20 of them per second of the interval (each costs a point of the organization's GraphQL"
                            + " budget)")
            .originalEnv()
            .check(atLeast(Duration.ofSeconds(1)));

    public static final Option<Duration> EMPTY_JOB_GRACE_PERIOD = Option.of(
                    "empty-job-grace-period",
                    DURATION,
                    DEFAULT_EMPTY_JOB_GRACE_PERIOD,
                    "How long a Job may exist without a pod before its job is failed")
            .originalEnv()
            .check(atLeast(Duration.ofSeconds(1)));

    public static final Option<Duration> POD_PENDING_TIMEOUT = Option.of(
                    "pod-pending-timeout",
                    DURATION,
                    DEFAULT_POD_PENDING_TIMEOUT,
                    "How long a pod may stay Pending before its job is failed")
            .originalEnv()
            .check(atLeast(Duration.ofSeconds(1)));

    public static final Option<Boolean> ENABLE_COMPLETION_WATCHER = Option.of(
                    "enable-completion-watcher",
                    BOOLEAN,
                    true,
                    "When a pod's agent has finished but another container still runs, give its Job a deadline of"
                            + " default-termination-grace-period-seconds so Kubernetes ends the pod")
            .originalEnv();

    // ---- user routes

    public static final Option<String> ROUTES_DIR = Option.of(
            "routes-dir",
            STRING,
            "",
            "Folder of extra YAML routes to load; a file named like a built-in route (e.g. schedule-jobs.camel.yaml)"
                    + " replaces it");

    // ---- pod spec builder: the options that shape each Job (names and defaults of agent-stack-k8s v0.47)
    public static final String DEFAULT_JOB_PREFIX = "buildkite-";
    public static final int DEFAULT_JOB_ACTIVE_DEADLINE_SECONDS = 21600;
    public static final int TERMINATION_GRACE_PERIOD_SECONDS = 60;
    public static final String DEFAULT_IMAGE_CHECK_CPU_LIMIT = "200m";
    public static final String DEFAULT_IMAGE_CHECK_MEMORY_LIMIT = "128Mi";
    /** A job uuid is 36 characters and a Job name must stay a valid label value (63), so the prefix gets 27. */
    static final int MAX_JOB_PREFIX_LENGTH = 63 - 36;

    static final Pattern JOB_PREFIX_PATTERN = Pattern.compile("[a-z0-9]([-a-z0-9.]*)?");
    static final List<String> PULL_POLICIES = List.of("", "Always", "IfNotPresent", "Never");

    public static final Option<String> JOB_PREFIX = Option.of(
                    "job-prefix",
                    STRING,
                    DEFAULT_JOB_PREFIX,
                    "Prefix of every Job name (the rest is the Buildkite job uuid)")
            .originalEnv()
            .check(Option.rule(v -> v.length() <= MAX_JOB_PREFIX_LENGTH
                            && JOB_PREFIX_PATTERN.matcher(v).matches()
                    ? null
                    : "must be lower-case letters, digits, '-' or '.', start with a letter or digit and be at most "
                            + MAX_JOB_PREFIX_LENGTH + " characters, got \"" + v + "\""));

    public static final Option<Integer> JOB_ACTIVE_DEADLINE_SECONDS = Option.of(
                    "job-active-deadline-seconds",
                    INTEGER,
                    DEFAULT_JOB_ACTIVE_DEADLINE_SECONDS,
                    "Longest a Job may run (activeDeadlineSeconds); the plugin's jobActiveDeadlineSeconds overrides it")
            .originalEnv()
            .check(Option.rule(v -> v >= 1 ? null : "must be 1 or more, got " + v));

    public static final Option<Integer> DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS = Option.of(
                    "default-termination-grace-period-seconds",
                    INTEGER,
                    TERMINATION_GRACE_PERIOD_SECONDS,
                    "terminationGracePeriodSeconds of pods whose pod spec sets none")
            .originalEnv()
            .check(Option.rule(v -> v >= 0 ? null : "must be 0 or more, got " + v));

    public static final Option<Map<String, Object>> WORKSPACE_VOLUME = Option.of(
                    "workspace-volume",
                    OBJECT,
                    (Map<String, Object>) null,
                    "Volume mounted at /workspace in every container, instead of an emptyDir")
            .check(Option.rule(v -> objectProblem(
                    v,
                    io.fabric8.kubernetes.api.model.Volume.class,
                    vol -> vol.getName() == null || vol.getName().isBlank() ? "name: required" : null)));

    public static final Option<String> WORKSPACE_MOUNT_SUB_PATH_EXPR = Option.of(
                    "workspace-mount-sub-path-expr",
                    STRING,
                    "",
                    "subPathExpr of every /workspace mount, e.g. $(POD_NAME) to share one volume")
            .fileOnly();

    public static final Option<Map<String, Object>> AGENT_CONFIG = Option.of(
                    "agent-config",
                    OBJECT,
                    (Map<String, Object>) null,
                    "Settings of the agent in each Job: endpoint, shell, hooks, plugins and signing-key volumes, ...")
            .check(Option.rule(v -> objectProblem(v, AgentConfig.class, AgentConfig::problem)));

    public static final Option<String> DEFAULT_IMAGE_PULL_POLICY = Option.of(
                    "default-image-pull-policy",
                    STRING,
                    "",
                    "imagePullPolicy for containers that set none (Always, IfNotPresent or Never); empty follows the image")
            .originalEnv()
            .check(pullPolicy());

    public static final Option<String> DEFAULT_IMAGE_CHECK_PULL_POLICY = Option.of(
                    "default-image-check-pull-policy",
                    STRING,
                    "",
                    "imagePullPolicy of the image-check init containers; empty uses default-image-pull-policy")
            .originalEnv()
            .check(pullPolicy());

    public static final Option<Boolean> SKIP_IMAGE_CHECK_CONTAINERS = Option.of(
                    "skip-image-check-containers",
                    BOOLEAN,
                    false,
                    "Do not add the init containers that check each image can be pulled before the agent starts")
            .originalEnv();

    public static final Option<String> IMAGE_CHECK_CONTAINER_CPU_LIMIT = Option.of(
                    "image-check-container-cpu-limit",
                    STRING,
                    DEFAULT_IMAGE_CHECK_CPU_LIMIT,
                    "CPU limit of each image-check init container")
            .originalEnv()
            .check(quantity());

    public static final Option<String> IMAGE_CHECK_CONTAINER_MEMORY_LIMIT = Option.of(
                    "image-check-container-memory-limit",
                    STRING,
                    DEFAULT_IMAGE_CHECK_MEMORY_LIMIT,
                    "Memory limit of each image-check init container")
            .originalEnv()
            .check(quantity());

    public static final Option<Boolean> ALLOW_POD_SPEC_PATCH_UNSAFE_COMMAND_MODIFICATION = Option.of(
                    "allow-pod-spec-patch-unsafe-command-modification",
                    BOOLEAN,
                    false,
                    "Let pod spec patches change the commands of the agent, checkout, copy-agent and image-check containers")
            .originalEnv();

    // ---- pod policy: what a pipeline step may ask of its pod (docs/security.md); each can be set per queue

    public static final String DEFAULT_POD_SECURITY_LEVEL = "baseline";
    public static final List<String> POD_SECURITY_LEVELS = List.of("privileged", "baseline", "restricted");
    /** A non-root uid for agent images that would start as root; the agent image's own user has no fixed uid. */
    public static final int DEFAULT_RUN_AS_USER = 1000;

    static final List<String> CAPPED_RESOURCES = List.of("cpu", "memory", "ephemeral-storage");

    public static final Option<String> POD_SECURITY_LEVEL = Option.of(
                    "pod-security-level",
                    STRING,
                    DEFAULT_POD_SECURITY_LEVEL,
                    "Pod Security Standard every job pod must meet: privileged, baseline or"
                            + " restricted (restricted also fills in its required securityContext)")
            .check(Option.rule(v -> POD_SECURITY_LEVELS.contains(v)
                    ? null
                    : "must be privileged, baseline or restricted, got \"" + v + "\""));

    public static final Option<Integer> RUN_AS_USER = Option.of(
                    "run-as-user",
                    INTEGER,
                    DEFAULT_RUN_AS_USER,
                    "At pod-security-level restricted: the runAsUser of containers that set none (a non-root uid)")
            .check(Option.rule(v -> v >= 1 ? null : "must be a non-root uid (1 or more), got " + v));

    public static final Option<String> BUILDKITE_TOKEN_SECRET = Option.of(
                    "buildkite-token-secret",
                    STRING,
                    "",
                    "Name of the Secret that holds the Buildkite API (GraphQL) token, which no job container may reference;"
                            + " empty: none")
            .check(Option.rule(v -> v.isEmpty() || KubernetesNames.isDnsSubdomain(v)
                    ? null
                    : "must be a Secret name (a DNS subdomain), got \"" + v + "\""));

    public static final Option<List<String>> ALLOWED_SERVICE_ACCOUNTS = Option.of(
                    "allowed-service-accounts",
                    LIST,
                    List.<String>of(),
                    "Service accounts a step may choose with serviceAccountName; empty: none")
            .check(Option.rule(v -> v.stream()
                    .filter(n -> !KubernetesNames.isDnsSubdomain(n))
                    .map(n -> "\"" + n + "\" is not a service account name")
                    .findFirst()
                    .orElse(null)));

    public static final Option<String> JOB_SERVICE_ACCOUNT = Option.of(
                    "job-service-account",
                    STRING,
                    "",
                    "Service account of job pods whose step chose none; empty: the namespace's default")
            .check(Option.rule(v -> v.isEmpty() || KubernetesNames.isDnsSubdomain(v)
                    ? null
                    : "must be a service account name, got \"" + v + "\""));

    public static final Option<List<String>> ALLOWED_IMAGES = Option.of(
            "allowed-images",
            LIST,
            List.<String>of(),
            "Glob patterns of the images steps may use, matched against the full name (alpine:3 is"
                    + " docker.io/library/alpine:3; * stays within a path segment, ** does not); empty: any image");

    public static final Option<Map<String, Object>> MAX_CONTAINER_RESOURCES = Option.of(
                    "max-container-resources",
                    OBJECT,
                    (Map<String, Object>) null,
                    "Most cpu, memory and ephemeral-storage a container may request or"
                            + " limit, e.g. {cpu: \"4\", memory: 8Gi}; unset: no cap")
            .check(Option.rule(Options::maxResourcesProblem));

    public static final Option<Integer> MAX_JOB_ACTIVE_DEADLINE_SECONDS = Option.of(
                    "max-job-active-deadline-seconds",
                    INTEGER,
                    0,
                    "Largest jobActiveDeadlineSeconds a step may ask for; 0: no cap")
            .check(Option.rule(v -> v >= 0 ? null : "must be 0 or more, got " + v));

    /** The options a {@code queues:} entry may set for its own jobs (see {@link QueueConfig}). */
    public static final List<Option<?>> PER_QUEUE_POLICY = List.of(
            POD_SECURITY_LEVEL,
            RUN_AS_USER,
            ALLOWED_SERVICE_ACCOUNTS,
            JOB_SERVICE_ACCOUNT,
            ALLOWED_IMAGES,
            MAX_CONTAINER_RESOURCES,
            MAX_JOB_ACTIVE_DEADLINE_SECONDS,
            PROHIBIT_KUBERNETES_PLUGIN);

    private static String maxResourcesProblem(Map<String, Object> caps) {
        for (Map.Entry<String, Object> e : caps.entrySet()) {
            if (!CAPPED_RESOURCES.contains(e.getKey())) {
                return "unknown resource \"" + e.getKey() + "\" (cpu, memory or ephemeral-storage)";
            }
            String problem = quantity().problem(String.valueOf(e.getValue()));
            if (problem != null) {
                return e.getKey() + " " + problem;
            }
        }
        return null;
    }

    private static <T> String objectProblem(
            Map<String, Object> value, Class<T> type, java.util.function.Function<T, String> rules) {
        try {
            return rules.apply(StrictDecoder.decode(value, type, ""));
        } catch (DecodeException e) {
            return e.getMessage();
        }
    }

    /** Each entry decodes into a {@link ResourceClass} whose node selector Kubernetes accepts. */
    private static String resourceClassesProblem(Map<String, Object> classes) {
        try {
            for (Map.Entry<String, ResourceClass> e :
                    ResourceClass.decodeAll(classes, "").entrySet()) {
                String problem = e.getValue().problem();
                if (problem != null) {
                    return e.getKey() + "." + problem;
                }
            }
            return null;
        } catch (DecodeException e) {
            return e.getMessage();
        }
    }

    /** Each entry decodes into a {@link QueueConfig} with valid tags; queue names are unique. */
    private static String queuesProblem(List<Map<String, Object>> queues) {
        java.util.Set<String> names = new java.util.HashSet<>();
        for (int i = 0; i < queues.size(); i++) {
            QueueConfig q;
            try {
                q = StrictDecoder.decode(queues.get(i), QueueConfig.class, "[" + i + "]");
            } catch (DecodeException e) {
                return e.getMessage();
            }
            String problem = q.problem(true);
            if (problem != null) {
                return "[" + i + "]: " + problem;
            }
            if (!names.add(q.name())) {
                return "[" + i + "]: queue \"" + q.name() + "\" is listed twice";
            }
        }
        return null;
    }

    private static Option.Check<String> oneOf(List<String> values) {
        return Option.rule(v -> values.contains(v)
                ? null
                : "must be " + String.join(", ", values.subList(0, values.size() - 1)) + " or "
                        + values.get(values.size() - 1) + ", got \"" + v + "\"");
    }

    private static Option.Check<String> pullPolicy() {
        return Option.rule(
                v -> PULL_POLICIES.contains(v) ? null : "must be Always, IfNotPresent or Never, got \"" + v + "\"");
    }

    private static Option.Check<String> quantity() {
        return Option.rule(v -> {
            try {
                io.fabric8.kubernetes.api.model.Quantity.getAmountInBytes(
                        new io.fabric8.kubernetes.api.model.Quantity(v));
                return null;
            } catch (IllegalArgumentException | ArithmeticException e) {
                return "must be a Kubernetes quantity such as 200m or 128Mi, got \"" + v + "\"";
            }
        });
    }

    /** Every option, in the order --help and docs/configuration.md list them. */
    public static final List<Option<?>> ALL = List.of(
            ORG,
            BUILDKITE_TOKEN,
            GRAPHQL_ENDPOINT,
            CLUSTER_UUID,
            TAGS,
            ID,
            NAMESPACE,
            MAX_IN_FLIGHT,
            QUEUES,
            POLL_INTERVAL,
            JOB_TTL,
            IMAGE,
            AGENT_TOKEN_SECRET,
            IMAGE_PULL_BACKOFF_GRACE_PERIOD,
            PROHIBIT_KUBERNETES_PLUGIN,
            DEBUG,
            LOG_FORMAT,
            LOG_LEVEL,
            GRAPHQL_PAGE_SIZE,
            PAGINATION_DEPTH_LIMIT,
            BUILDKITE_API,
            QUEUE,
            PAGINATION_PAGE_SIZE,
            ENABLE_QUEUE_PAUSE,
            RESERVATION_EXPIRY_SECONDS,
            QUERY_RESET_INTERVAL,
            WORK_QUEUE_LIMIT,
            GRAPHQL_BUDGET_SHARE,
            HTTP_TIMEOUT,
            MAX_RESPONSE_SIZE,
            POD_SPEC_PATCH,
            DEFAULT_CHECKOUT_PARAMS,
            DEFAULT_COMMAND_PARAMS,
            DEFAULT_SIDECAR_PARAMS,
            DEFAULT_METADATA,
            RESOURCE_CLASSES,
            DEFAULT_RESOURCE_CLASS_NAME,
            ADDITIONAL_REDACTED_VARS,
            STALE_JOB_DATA_TIMEOUT,
            JOB_CREATION_CONCURRENCY,
            K8S_CLIENT_RATE_LIMITER_QPS,
            K8S_CLIENT_RATE_LIMITER_BURST,
            IN_FLIGHT_RECONCILE_INTERVAL,
            LEADER_ELECTION,
            LEADER_ELECTION_LEASE_NAME,
            LEADER_ELECTION_NAMESPACE,
            LEADER_ELECTION_POD_SELECTOR,
            LEADER_ELECTION_LEASE_DURATION,
            LEADER_ELECTION_RENEW_DEADLINE,
            LEADER_ELECTION_RETRY_PERIOD,
            PROMETHEUS_PORT,
            MANAGEMENT_PORT,
            AGENT_ENDPOINT,
            JOB_CANCEL_CHECKER_POLL_INTERVAL,
            EMPTY_JOB_GRACE_PERIOD,
            POD_PENDING_TIMEOUT,
            ENABLE_COMPLETION_WATCHER,
            ROUTES_DIR,
            JOB_PREFIX,
            JOB_ACTIVE_DEADLINE_SECONDS,
            DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS,
            WORKSPACE_VOLUME,
            WORKSPACE_MOUNT_SUB_PATH_EXPR,
            AGENT_CONFIG,
            DEFAULT_IMAGE_PULL_POLICY,
            DEFAULT_IMAGE_CHECK_PULL_POLICY,
            SKIP_IMAGE_CHECK_CONTAINERS,
            IMAGE_CHECK_CONTAINER_CPU_LIMIT,
            IMAGE_CHECK_CONTAINER_MEMORY_LIMIT,
            ALLOW_POD_SPEC_PATCH_UNSAFE_COMMAND_MODIFICATION,
            POD_SECURITY_LEVEL,
            RUN_AS_USER,
            BUILDKITE_TOKEN_SECRET,
            ALLOWED_SERVICE_ACCOUNTS,
            JOB_SERVICE_ACCOUNT,
            ALLOWED_IMAGES,
            MAX_CONTAINER_RESOURCES,
            MAX_JOB_ACTIVE_DEADLINE_SECONDS);

    /** Keys of agent-stack-k8s v0.47 that are accepted so its configuration loads unchanged, and do nothing here. */
    public static final List<IgnoredOption> IGNORED = List.of(
            new IgnoredOption(
                    "profiler-address",
                    STRING,
                    "the Go pprof profiler has no counterpart in a JVM; use the JVM's own tools (jcmd, JFR)"),
            new IgnoredOption("no-color", BOOLEAN, "log lines are never coloured"),
            new IgnoredOption(
                    "log-http-payloads",
                    BOOLEAN,
                    "Buildkite request and response bodies are never logged, as they can carry tokens"),
            new IgnoredOption(
                    "integration-test-buildkite-token",
                    STRING,
                    "only the original's integration tests read it; to poll through GraphQL, set buildkite-token"));

    private Options() {}

    /** The ignored key of the original with this name, or null. */
    public static IgnoredOption ignoredByKey(String key) {
        return IGNORED.stream().filter(i -> i.key().equals(key)).findFirst().orElse(null);
    }

    /** The option with this key, or null. */
    public static Option<?> byKey(String key) {
        for (Option<?> o : ALL) {
            if (o.key().equals(key)) {
                return o;
            }
        }
        return null;
    }

    private static Option.Check<Duration> atLeast(Duration min) {
        return Option.rule(v -> v.compareTo(min) >= 0
                ? null
                : "must be at least " + Durations.format(min) + ", got " + Durations.format(v));
    }

    static String tagsProblem(List<String> tags) {
        int queues = 0;
        for (String tag : tags) {
            int eq = tag.indexOf('=');
            if (eq <= 0) {
                return "tag \"" + tag + "\" is not key=value";
            }
            if (tag.substring(0, eq).equals("queue")) {
                queues++;
            }
        }
        if (queues == 0) {
            return "must contain a queue tag, e.g. queue=kubernetes";
        }
        return queues > 1 ? "must contain exactly one queue tag, got " + queues : null;
    }
}
