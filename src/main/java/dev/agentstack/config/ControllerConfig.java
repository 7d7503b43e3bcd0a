package dev.agentstack.config;

import dev.agentstack.podspec.AgentConfig;
import dev.agentstack.podspec.CheckoutParams;
import dev.agentstack.podspec.CommandParams;
import dev.agentstack.podspec.PodMetadata;
import dev.agentstack.podspec.ResourceClass;
import dev.agentstack.podspec.SidecarParams;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * The validated configuration of one controller: every option of {@link Options} with its value. Immutable; build one
 * with {@link ConfigLoader} (file, environment, flags) or, in code and tests, with {@link #builder()}.
 */
public final class ControllerConfig {

    private final Map<Option<?>, Object> values;
    private final Map<Option<?>, Object> decodedObjects = new java.util.concurrent.ConcurrentHashMap<>();
    /** Set on the configuration of one queue (see {@link #forQueue}): that queue's pod-spec patch. */
    private final Map<String, Object> queuePodSpecPatch;
    /** What the loader accepted but ignores (see {@link Options#IGNORED}), to be said once at start. */
    private final List<String> warnings;

    private ControllerConfig(Map<Option<?>, Object> values, List<String> warnings) {
        this(values, null, warnings);
    }

    private ControllerConfig(
            Map<Option<?>, Object> values, Map<String, Object> queuePodSpecPatch, List<String> warnings) {
        this.values = Map.copyOf(values.entrySet().stream()
                .filter(e -> e.getValue() != null)
                .collect(LinkedHashMap::new, (m, e) -> m.put(e.getKey(), e.getValue()), Map::putAll));
        this.queuePodSpecPatch = queuePodSpecPatch;
        this.warnings = List.copyOf(warnings);
    }

    /** One line for each setting the configuration carried but the controller ignores, naming it and saying why. */
    public List<String> warnings() {
        return warnings;
    }

    /**
     * The queues this controller serves: the {@code queues:} entries, or, without them, one queue from {@code tags} and
     * {@code max-in-flight}. Entries without max-in-flight take the controller's.
     */
    public List<QueueConfig> queues() {
        List<Map<String, Object>> entries = get(Options.QUEUES);
        if (entries.isEmpty()) {
            return List.of(new QueueConfig(tags(), maxInFlight(), null));
        }
        return entries.stream()
                .map(e -> StrictDecoder.decode(e, QueueConfig.class, Options.QUEUES.key()))
                .map(q -> q.maxInFlight() != null ? q : q.withMaxInFlight(maxInFlight()))
                .toList();
    }

    /**
     * The configuration one queue's scheduling runs with: the controller's, with the queue's tags and max-in-flight,
     * and its pod-spec patch applied after the controller's ({@link #queuePodSpecPatch()}).
     */
    public ControllerConfig forQueue(QueueConfig queue) {
        Map<Option<?>, Object> v = new LinkedHashMap<>(values);
        v.put(Options.TAGS, queue.tags());
        v.put(Options.MAX_IN_FLIGHT, queue.maxInFlight() != null ? queue.maxInFlight() : maxInFlight());
        v.remove(Options.QUEUES);
        v.putAll(queue.policyOverrides());
        return new ControllerConfig(v, queue.podSpecPatch(), warnings);
    }

    /**
     * The configuration of the queue a job's {@code queue=} agent tag names, as the controller would build the job with
     * (render and lint use it); this configuration when no queue matches.
     */
    public ControllerConfig forJob(List<String> agentQueryRules) {
        if (get(Options.QUEUES).isEmpty()) {
            return this;
        }
        for (QueueConfig q : queues()) {
            if (agentQueryRules.contains("queue=" + q.name())) {
                return forQueue(q);
            }
        }
        return this;
    }

    /** The patch of the queue this configuration is for, applied after {@code pod-spec-patch}; null when none. */
    public Map<String, Object> queuePodSpecPatch() {
        return queuePodSpecPatch;
    }

    /** The value of an option, or its default when it was not set. */
    @SuppressWarnings("unchecked")
    public <T> T get(Option<T> option) {
        Object v = values.get(option);
        return v != null ? (T) v : option.defaultValue();
    }

    /** True when the option was set explicitly (in a file, the environment or a flag). */
    public boolean isSet(Option<?> option) {
        return values.containsKey(option);
    }

    public String org() {
        return get(Options.ORG);
    }

    public String buildkiteToken() {
        return get(Options.BUILDKITE_TOKEN);
    }

    public String graphqlEndpoint() {
        return get(Options.GRAPHQL_ENDPOINT);
    }

    public String clusterUuid() {
        return get(Options.CLUSTER_UUID);
    }

    public boolean clustered() {
        return !clusterUuid().isEmpty();
    }

    /**
     * The GraphQL node id of the cluster, which {@code jobs(cluster:)} takes: the padded base64 of
     * {@code Cluster---<uuid>}.
     */
    public String clusterNodeId() {
        return clusterNodeId(clusterUuid());
    }

    /** The GraphQL node id of a cluster uuid; empty for none. */
    public static String clusterNodeId(String clusterUuid) {
        return clusterUuid == null || clusterUuid.isEmpty()
                ? ""
                : Base64.getEncoder().encodeToString(("Cluster---" + clusterUuid).getBytes(StandardCharsets.UTF_8));
    }

    public List<String> tags() {
        return get(Options.TAGS);
    }

    /** The value of the queue tag (validation guarantees there is exactly one); with queues:, see {@link #queues()}. */
    public String queue() {
        for (String tag : tags()) {
            if (tag.startsWith("queue=")) {
                return tag.substring("queue=".length());
            }
        }
        throw new IllegalStateException("no queue tag");
    }

    public String id() {
        return get(Options.ID);
    }

    public String namespace() {
        return get(Options.NAMESPACE);
    }

    public int maxInFlight() {
        return get(Options.MAX_IN_FLIGHT);
    }

    public Duration pollInterval() {
        return get(Options.POLL_INTERVAL);
    }

    public Duration jobTtl() {
        return get(Options.JOB_TTL);
    }

    public String image() {
        return get(Options.IMAGE);
    }

    public String agentTokenSecret() {
        return get(Options.AGENT_TOKEN_SECRET);
    }

    public Duration imagePullBackoffGracePeriod() {
        return get(Options.IMAGE_PULL_BACKOFF_GRACE_PERIOD);
    }

    public boolean prohibitKubernetesPlugin() {
        return get(Options.PROHIBIT_KUBERNETES_PLUGIN);
    }

    public boolean debug() {
        return get(Options.DEBUG);
    }

    /** The least severe level logged: log-level, or debug when the debug option is on. */
    public String logLevel() {
        return debug() ? "debug" : get(Options.LOG_LEVEL);
    }

    public String logFormat() {
        return get(Options.LOG_FORMAT);
    }

    public int graphqlPageSize() {
        return get(Options.GRAPHQL_PAGE_SIZE);
    }

    public int paginationDepthLimit() {
        return get(Options.PAGINATION_DEPTH_LIMIT);
    }

    public double graphqlBudgetShare() {
        return get(Options.GRAPHQL_BUDGET_SHARE);
    }

    public Duration httpTimeout() {
        return get(Options.HTTP_TIMEOUT);
    }

    /** The most bytes read of one Buildkite answer. */
    public long maxResponseSize() {
        return ByteSizes.parse(get(Options.MAX_RESPONSE_SIZE));
    }

    public Map<String, Object> podSpecPatch() {
        return get(Options.POD_SPEC_PATCH);
    }

    public CheckoutParams defaultCheckoutParams() {
        return decoded(Options.DEFAULT_CHECKOUT_PARAMS, CheckoutParams.class, CheckoutParams.NONE);
    }

    public CommandParams defaultCommandParams() {
        return decoded(Options.DEFAULT_COMMAND_PARAMS, CommandParams.class, CommandParams.NONE);
    }

    public SidecarParams defaultSidecarParams() {
        return decoded(Options.DEFAULT_SIDECAR_PARAMS, SidecarParams.class, SidecarParams.NONE);
    }

    public PodMetadata defaultMetadata() {
        return decoded(Options.DEFAULT_METADATA, PodMetadata.class, PodMetadata.NONE);
    }

    /** The resource-classes option by name; empty when it is not set. */
    public Map<String, ResourceClass> resourceClasses() {
        Map<String, Object> raw = get(Options.RESOURCE_CLASSES);
        if (raw == null) {
            return Map.of();
        }
        @SuppressWarnings("unchecked")
        Map<String, ResourceClass> decoded = (Map<String, ResourceClass>)
                decodedObjects.computeIfAbsent(Options.RESOURCE_CLASSES, o -> ResourceClass.decodeAll(raw, o.key()));
        return decoded;
    }

    /** True when resource-classes is set (possibly to no classes). */
    public boolean hasResourceClasses() {
        return get(Options.RESOURCE_CLASSES) != null;
    }

    public String defaultResourceClassName() {
        return get(Options.DEFAULT_RESOURCE_CLASS_NAME);
    }

    /** The agent-config option, or null when it is not set (then none of its effects apply). */
    public AgentConfig agentConfig() {
        return decoded(Options.AGENT_CONFIG, AgentConfig.class, null);
    }

    /** The workspace-volume option, or null for the default emptyDir. */
    public io.fabric8.kubernetes.api.model.Volume workspaceVolume() {
        return decoded(Options.WORKSPACE_VOLUME, io.fabric8.kubernetes.api.model.Volume.class, null);
    }

    public String jobPrefix() {
        return get(Options.JOB_PREFIX);
    }

    public int jobActiveDeadlineSeconds() {
        return get(Options.JOB_ACTIVE_DEADLINE_SECONDS);
    }

    public int defaultTerminationGracePeriodSeconds() {
        return get(Options.DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS);
    }

    public boolean enableCompletionWatcher() {
        return get(Options.ENABLE_COMPLETION_WATCHER);
    }

    public String workspaceMountSubPathExpr() {
        return get(Options.WORKSPACE_MOUNT_SUB_PATH_EXPR);
    }

    public String defaultImagePullPolicy() {
        return get(Options.DEFAULT_IMAGE_PULL_POLICY);
    }

    public String defaultImageCheckPullPolicy() {
        return get(Options.DEFAULT_IMAGE_CHECK_PULL_POLICY);
    }

    public boolean skipImageCheckContainers() {
        return get(Options.SKIP_IMAGE_CHECK_CONTAINERS);
    }

    public String imageCheckContainerCpuLimit() {
        return get(Options.IMAGE_CHECK_CONTAINER_CPU_LIMIT);
    }

    public String imageCheckContainerMemoryLimit() {
        return get(Options.IMAGE_CHECK_CONTAINER_MEMORY_LIMIT);
    }

    public boolean allowPodSpecPatchUnsafeCommandModification() {
        return get(Options.ALLOW_POD_SPEC_PATCH_UNSAFE_COMMAND_MODIFICATION);
    }

    public String podSecurityLevel() {
        return get(Options.POD_SECURITY_LEVEL);
    }

    public int runAsUser() {
        return get(Options.RUN_AS_USER);
    }

    /** The Secret with the Buildkite API token; empty when none is named. */
    public String buildkiteTokenSecret() {
        return get(Options.BUILDKITE_TOKEN_SECRET);
    }

    public List<String> allowedServiceAccounts() {
        return get(Options.ALLOWED_SERVICE_ACCOUNTS);
    }

    /** The service account of job pods whose step chose none; empty for the namespace's default. */
    public String jobServiceAccount() {
        return get(Options.JOB_SERVICE_ACCOUNT);
    }

    /** Glob patterns of allowed images; empty allows any. */
    public List<String> allowedImages() {
        return get(Options.ALLOWED_IMAGES);
    }

    /** The caps of max-container-resources by resource name (validated quantities); empty when unset. */
    public Map<String, String> maxContainerResources() {
        Map<String, Object> raw = get(Options.MAX_CONTAINER_RESOURCES);
        Map<String, String> caps = new LinkedHashMap<>();
        if (raw != null) {
            raw.forEach((k, v) -> caps.put(k, String.valueOf(v)));
        }
        return caps;
    }

    /** 0 for no cap. */
    public int maxJobActiveDeadlineSeconds() {
        return get(Options.MAX_JOB_ACTIVE_DEADLINE_SECONDS);
    }

    /** An object option decoded into its type once (validation has already decoded it, so this cannot fail). */
    private <T> T decoded(Option<Map<String, Object>> option, Class<T> type, T whenUnset) {
        Map<String, Object> raw = get(option);
        if (raw == null) {
            return whenUnset;
        }
        return type.cast(decodedObjects.computeIfAbsent(option, o -> StrictDecoder.decode(raw, type, option.key())));
    }

    public List<String> additionalRedactedVars() {
        return get(Options.ADDITIONAL_REDACTED_VARS);
    }

    public Duration staleJobDataTimeout() {
        return get(Options.STALE_JOB_DATA_TIMEOUT);
    }

    public int jobCreationConcurrency() {
        return get(Options.JOB_CREATION_CONCURRENCY);
    }

    public int k8sClientQps() {
        return get(Options.K8S_CLIENT_RATE_LIMITER_QPS);
    }

    public int k8sClientBurst() {
        return get(Options.K8S_CLIENT_RATE_LIMITER_BURST);
    }

    public Duration inFlightReconcileInterval() {
        return get(Options.IN_FLIGHT_RECONCILE_INTERVAL);
    }

    public boolean leaderElection() {
        return get(Options.LEADER_ELECTION);
    }

    /** The Lease replicas compete for: the option, else {@code <id>-leader}. */
    public String leaderElectionLeaseName() {
        String name = get(Options.LEADER_ELECTION_LEASE_NAME);
        return name.isEmpty()
                ? id().toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9-]", "-") + "-leader"
                : name;
    }

    /** Where the leader Lease and the controller's own pods are: leader-election-namespace, else namespace. */
    public String leaderElectionNamespace() {
        String ns = get(Options.LEADER_ELECTION_NAMESPACE);
        return ns.isEmpty() ? namespace() : ns;
    }

    /** The labels of the controller's own pods, the leader-election candidates. */
    public Map<String, String> leaderElectionPodSelector() {
        Map<String, String> labels = new LinkedHashMap<>();
        for (String l : get(Options.LEADER_ELECTION_POD_SELECTOR)) {
            int eq = l.indexOf('=');
            labels.put(l.substring(0, eq), l.substring(eq + 1));
        }
        return labels;
    }

    public Duration leaderElectionLeaseDuration() {
        return get(Options.LEADER_ELECTION_LEASE_DURATION);
    }

    public Duration leaderElectionRenewDeadline() {
        return get(Options.LEADER_ELECTION_RENEW_DEADLINE);
    }

    public Duration leaderElectionRetryPeriod() {
        return get(Options.LEADER_ELECTION_RETRY_PERIOD);
    }

    public String agentEndpoint() {
        return get(Options.AGENT_ENDPOINT);
    }

    /** Where jobs come from: buildkite-api, or unset, graphql when a GraphQL token is given and else stacks. */
    public String buildkiteApi() {
        String api = get(Options.BUILDKITE_API);
        if (api != null) {
            return api;
        }
        return buildkiteToken() != null && !buildkiteToken().isBlank() ? "graphql" : "stacks";
    }

    /** True when jobs come from the Stacks API (with the agent token), not GraphQL. */
    public boolean usesStacksApi() {
        return buildkiteApi().equals("stacks");
    }

    /**
     * The cluster queue key a queue's stack serves: the {@code queue} option for the one queue of {@code tags}, else
     * the queue's name (its queue tag).
     */
    public String stackQueueKey(QueueConfig queue) {
        String key = get(Options.QUEUE);
        return key != null && !key.isBlank() && get(Options.QUEUES).isEmpty() ? key : queue.name();
    }

    /**
     * The key a queue's stack registers under: {@code id} for the one queue of {@code tags}, {@code <id>-<queue>} for
     * each of {@code queues:}; characters a stack key may not have ({@code [A-Za-z0-9_-]}, at most 80) become -.
     */
    public String stackKey(QueueConfig queue) {
        String key = get(Options.QUEUES).isEmpty() ? id() : id() + "-" + queue.name();
        key = key.replaceAll("[^A-Za-z0-9_-]", "-");
        return key.length() > 80 ? key.substring(0, 80) : key;
    }

    public Duration jobCancelCheckerPollInterval() {
        return get(Options.JOB_CANCEL_CHECKER_POLL_INTERVAL);
    }

    public Duration emptyJobGracePeriod() {
        return get(Options.EMPTY_JOB_GRACE_PERIOD);
    }

    public Duration podPendingTimeout() {
        return get(Options.POD_PENDING_TIMEOUT);
    }

    /**
     * How often the watches replay their caches, so time-based findings (grace periods, timeouts) are noticed without
     * an event: half the shortest of those periods, between 1s and 10s.
     */
    public Duration watchResyncInterval() {
        Duration shortest = java.util.stream.Stream.of(
                        imagePullBackoffGracePeriod(), emptyJobGracePeriod(), podPendingTimeout())
                .min(Duration::compareTo)
                .orElseThrow()
                .dividedBy(2);
        return shortest.compareTo(Duration.ofSeconds(1)) < 0
                ? Duration.ofSeconds(1)
                : shortest.compareTo(Duration.ofSeconds(10)) > 0 ? Duration.ofSeconds(10) : shortest;
    }

    public String routesDir() {
        return get(Options.ROUTES_DIR);
    }

    public int managementPort() {
        return get(Options.MANAGEMENT_PORT);
    }

    /**
     * The options as Camel properties, so routes read {@code {{poll-interval}}}. Durations are milliseconds (what
     * Camel endpoints take), lists are comma-joined; secrets and objects are left out. Derived values:
     * {@code buildkite-api} and {@code queue} (resolved), {@code cluster-node-id}, {@code watch-resync-interval}.
     */
    public Properties toCamelProperties() {
        Properties p = new Properties();
        for (Option<?> o : Options.ALL) {
            if (o.isSecret() || o.kind() == Option.Kind.OBJECT || o.kind() == Option.Kind.OBJECT_LIST) {
                continue;
            }
            Object v = get(o);
            if (v == null) {
                continue;
            }
            p.setProperty(o.key(), v instanceof Duration d ? String.valueOf(d.toMillis()) : o.toText(v));
        }
        p.setProperty("buildkite-api", buildkiteApi());
        // the queue option as resolved (a route template's own queue parameter still wins inside the template)
        p.setProperty("queue", stackQueueKey(queues().get(0)));
        p.setProperty("cluster-node-id", clusterNodeId());
        p.setProperty(
                "watch-resync-interval", String.valueOf(watchResyncInterval().toMillis()));
        return p;
    }

    /** A copy with some options changed; the result is validated like any other configuration. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.values.putAll(values);
        b.warnings.addAll(warnings);
        return b;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Builds a configuration in code; {@link #build()} applies the same checks as the loader. */
    public static final class Builder {
        private final Map<Option<?>, Object> values = new LinkedHashMap<>();
        private final java.util.Set<String> warnings = new java.util.LinkedHashSet<>();

        /** Adds a warning for {@link ControllerConfig#warnings()}; the same one twice is kept once. */
        public Builder warn(String warning) {
            warnings.add(warning);
            return this;
        }

        public <T> Builder set(Option<T> option, T value) {
            values.put(option, value);
            return this;
        }

        /** Sets an option from its YAML form (strings for durations, maps for objects), as a config file would. */
        public Builder setFromYaml(Option<?> option, Object value) {
            values.put(option, option.fromYaml(value));
            return this;
        }

        public ControllerConfig build() {
            ControllerConfig config = new ControllerConfig(values, List.copyOf(warnings));
            ConfigLoader.validate(config);
            return config;
        }
    }
}
