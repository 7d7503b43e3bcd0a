package dev.agentstack.runtime;

import dev.agentstack.buildkite.AgentApi;
import dev.agentstack.buildkite.GraphqlBudget;
import dev.agentstack.buildkite.JobFailer;
import dev.agentstack.buildkite.JobFailureBackoff;
import dev.agentstack.buildkite.PollBackoff;
import dev.agentstack.buildkite.ResponseSizeLimit;
import dev.agentstack.buildkite.stacks.StackJobFinisher;
import dev.agentstack.buildkite.stacks.StackJobStates;
import dev.agentstack.buildkite.stacks.StackKeys;
import dev.agentstack.buildkite.stacks.StackNotifications;
import dev.agentstack.buildkite.stacks.StacksClient;
import dev.agentstack.config.ControllerConfig;
import dev.agentstack.config.QueueConfig;
import dev.agentstack.kubernetes.JobLabels;
import dev.agentstack.kubernetes.KubernetesJobs;
import dev.agentstack.kubernetes.watch.OurJobs;
import dev.agentstack.logging.OutageLog;
import dev.agentstack.podspec.PodSpecBuilder;
import dev.agentstack.podspec.PodTemplateLookup;
import dev.agentstack.scheduling.ApiRateLimiter;
import dev.agentstack.scheduling.CreatePermission;
import dev.agentstack.scheduling.InFlightByQueue;
import dev.agentstack.scheduling.InFlightJobs;
import dev.agentstack.scheduling.JobCreations;
import dev.agentstack.scheduling.JobSelection;
import dev.agentstack.scheduling.PollGate;
import dev.agentstack.scheduling.PollScope;
import dev.agentstack.tracking.CancelCandidates;
import dev.agentstack.tracking.CompletionWatcher;
import dev.agentstack.tracking.Findings;
import dev.agentstack.tracking.PodFailureClassifier;
import dev.agentstack.tracking.PodNotices;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.slf4j.LoggerFactory;

/**
 * The beans the routes call, by the names the routes use. Shared beans have plain names; each queue's scheduling beans
 * are named {@code <name>-<queue>} ({@link #queueBean}), which the route templates of schedule-jobs.camel.yaml refer
 * to as {@code <name>-{{queue}}}. Built the same way by {@link Controller} and by {@link CamelRunController}.
 */
public final class ControllerBeans {

    private ControllerBeans() {}

    /** The name of one queue's bean. */
    public static String queueBean(String name, String queue) {
        return name + "-" + queue;
    }

    public static Map<String, Object> create(
            ControllerConfig config,
            KubernetesClient kubernetes,
            CloseableHttpClient graphqlHttpClient,
            ControllerLifecycle lifecycle,
            String leaderIdentity) {
        return create(
                config,
                kubernetes,
                graphqlHttpClient,
                lifecycle,
                leaderIdentity,
                new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
    }

    /** @param metrics the registry /observe/metrics serves, when Camel has made it already (camel run) */
    public static Map<String, Object> create(
            ControllerConfig config,
            KubernetesClient kubernetes,
            CloseableHttpClient graphqlHttpClient,
            ControllerLifecycle lifecycle,
            String leaderIdentity,
            PrometheusMeterRegistry metrics) {
        Clock clock = Clock.systemUTC();
        LeaderElection leader = LeaderElection.of(config, kubernetes, leaderIdentity);
        Gauge.builder("buildkite.leader", leader, l -> l.isLeader() ? 1 : 0)
                .description("1 when this replica schedules (holds the Lease, or leader election is off)")
                .register(metrics);
        ApiRateLimiter writes = new ApiRateLimiter(config.k8sClientQps(), config.k8sClientBurst());
        PodTemplateLookup podTemplates = PodTemplateLookup.inNamespace(kubernetes, config.namespace());

        Map<String, Object> beans = new LinkedHashMap<>();
        beans.put("controllerConfig", config);
        beans.put("controllerLifecycle", lifecycle);
        beans.put("metricsRegistry", metrics); // camel-micrometer serves this registry at /observe/metrics
        beans.put("kubernetesClient", kubernetes);
        beans.put("kubernetesOutage", OutageLog.kubernetes());
        beans.put("graphqlHttpClient", graphqlHttpClient);
        beans.put("noOutboundHeaders", new NoOutboundHeaders());
        beans.put("kubernetesWriteLimiter", writes);
        beans.put("leaderElection", leader);
        if (leader.service() != null) {
            beans.put("leaderElectionService", leader.service());
        }

        // One budget for the organization: every queue's polls and the cancel checker spend the same points.
        GraphqlBudget budget = new GraphqlBudget(config.graphqlBudgetShare(), clock, metrics);
        beans.put("graphqlBudget", budget);

        // Each queue: its own polls, tag filter, in-flight limit, creations and pod-spec patch; metrics tagged queue=.
        CreatePermission createPermission = new CreatePermission(config.pollInterval(), clock);
        Map<String, InFlightJobs> inFlight = new LinkedHashMap<>();
        Map<String, PollBackoff> polls = new LinkedHashMap<>();
        for (QueueConfig queue : config.queues()) {
            String name = queue.name();
            ControllerConfig queueConfig = config.forQueue(queue);
            Tags queueTag = Tags.of("queue", name);
            InFlightJobs slots = new InFlightJobs(queueConfig.maxInFlight()).registerMetrics(metrics, queueTag);
            PollBackoff backoff = new PollBackoff(config.pollInterval(), clock, metrics, queueTag);
            JobCreations creations = new JobCreations(
                    slots,
                    config.jobCreationConcurrency(),
                    config.jobPrefix(),
                    config.staleJobDataTimeout(),
                    clock,
                    metrics,
                    name,
                    createPermission);
            inFlight.put(name, slots);
            polls.put(name, backoff);
            // A poll while every slot is taken, the workers are far behind or the API server refuses our creations
            // (backing off) would only read the same jobs again. A poll before our Jobs have
            // been listed is not held back (its jobs are, as not_ready): a wrong org or token is reported even while
            // the Kubernetes API cannot be reached.
            // The Stacks API spends no GraphQL points: its polls take only the free slots from the scope's plan.
            PollScope scope = new PollScope(
                    slots,
                    config.graphqlPageSize(),
                    config.paginationDepthLimit(),
                    config.staleJobDataTimeout(),
                    config.usesStacksApi() ? null : budget,
                    clock);
            beans.put(
                    queueBean("pollGate", name),
                    new PollGate(
                            backoff,
                            () -> !createPermission.allowsPoll() || creations.pollWouldStartNothing(),
                            lifecycle::fail,
                            scope));
            beans.put(queueBean("jobSelection", name), new JobSelection(queueConfig.tags(), metrics, queueTag));
            beans.put(queueBean("jobCreations", name), creations);
            beans.put(queueBean("podSpecBuilder", name), new PodSpecBuilder(queueConfig, podTemplates));
        }
        InFlightByQueue allInFlight = new InFlightByQueue(inFlight);
        beans.put("inFlightJobs", allInFlight);
        beans.put("queueRoutes", QueueRoutes.of(config));
        beans.put("ourJobs", new OurJobs(kubernetes, config.namespace(), JobLabels.controllerLabel(config.id())));
        beans.put("createPermission", createPermission);
        beans.put("controllerHealth", new ControllerHealth(polls.values(), allInFlight, createPermission, leader));

        // Pod and job events: findings, failing jobs through the agent API, cancellations.
        KubernetesJobs jobs = new KubernetesJobs(kubernetes, config.namespace(), writes::acquire);
        beans.put("kubernetesJobs", jobs);
        PodFailureClassifier classifier = new PodFailureClassifier(
                config.imagePullBackoffGracePeriod(), config.podPendingTimeout(), config.emptyJobGracePeriod());
        String firstQueue = config.queues().get(0).name();
        beans.put("findings", new Findings(classifier, jobs, List.of("queue=" + firstQueue), clock, metrics));
        beans.put(
                "completionWatcher",
                new CompletionWatcher(
                        jobs, Duration.ofSeconds(config.defaultTerminationGracePeriodSeconds()), clock, metrics));
        CancelCandidates cancelCandidates = config.usesStacksApi()
                ? CancelCandidates.forStacksApi(metrics)
                : new CancelCandidates(metrics, config.jobCancelCheckerPollInterval());
        beans.put("cancelCandidates", cancelCandidates);
        beans.put(
                "cancelCheckOutage",
                new OutageLog(LoggerFactory.getLogger("dev.agentstack.watch"), clock, "cancel checks succeed again"));
        // One backoff per job, whichever API fails it: the routes ask it before they try.
        JobFailureBackoff failureBackoff = new JobFailureBackoff(clock);
        AgentTokenSecret agentToken = new AgentTokenSecret(kubernetes, config.namespace(), config.agentTokenSecret());
        beans.put("jobFailureBackoff", failureBackoff);
        beans.put(
                "jobFailer",
                new JobFailer(
                        new AgentApi(
                                config.agentEndpoint(),
                                config.httpTimeout(),
                                Version.userAgent(),
                                new ResponseSizeLimit(config.maxResponseSize())),
                        agentToken,
                        clock,
                        metrics,
                        JobFailer.RETRY_INTERVAL,
                        failureBackoff));

        // The Stacks API's outcomes (buildkite-api stacks; the routes choose): finish, job states, timeline notes.
        StacksClient stacks = StacksClient.of(
                config.agentEndpoint(),
                config.httpTimeout(),
                Version.userAgent(),
                new ResponseSizeLimit(config.maxResponseSize()),
                AgentTokens.of(System.getenv(), agentToken));
        StackKeys stackKeys = new StackKeys(config);
        StackNotifications notes = new StackNotifications(stacks, stackKeys::ofQueue, clock, metrics);
        beans.put("stackJobFinisher", new StackJobFinisher(stacks, stackKeys, failureBackoff, metrics));
        beans.put("stackJobStates", new StackJobStates(stacks, stackKeys, cancelCandidates::queueOf));
        beans.put("stackNotifications", notes);
        beans.put("podNotices", new PodNotices(classifier, notes, firstQueue, clock));
        return beans;
    }

    /**
     * The Camel properties the routes and Kamelets read: the options, and the source Kamelet's token as a Kamelet
     * property, so it never appears in an endpoint URI: the GraphQL token for buildkite-scheduled-jobs-source, or,
     * with the Stacks API, the agent token for buildkite-stack-jobs-source.
     *
     * @param agentToken read only with the Stacks API (from the environment or the Secret, see {@link AgentTokens})
     */
    public static java.util.Properties camelProperties(ControllerConfig config, Supplier<String> agentToken) {
        java.util.Properties p = routeProperties(config);
        if (config.usesStacksApi()) {
            String token = agentToken.get();
            SecretRedaction.register(token); // Camel prints resolved properties at debug level
            p.setProperty(STACKS_SOURCE_TOKEN_PROPERTY, token);
        } else {
            SecretRedaction.register(config.buildkiteToken());
            p.setProperty(SOURCE_TOKEN_PROPERTY, config.buildkiteToken());
        }
        return p;
    }

    /** The properties the routes read: the options, and what the controller derives from them. */
    public static java.util.Properties routeProperties(ControllerConfig config) {
        java.util.Properties p = config.toCamelProperties();
        p.setProperty(CONTROLLER_SELECTOR_PROPERTY, JobLabels.controllerSelector(config.id()));
        return p;
    }

    /** The label selector of the routes' watches of our Jobs and pods, derived from the id option (JobLabels). */
    static final String CONTROLLER_SELECTOR_PROPERTY = "controller-label-selector";

    static final String SOURCE_TOKEN_PROPERTY = "camel.kamelet.buildkite-scheduled-jobs-source.token";
    static final String STACKS_SOURCE_TOKEN_PROPERTY = "camel.kamelet.buildkite-stack-jobs-source.agentToken";
}
