package dev.agentstack.runtime;

import dev.agentstack.buildkite.GraphqlHttpClients;
import dev.agentstack.buildkite.stacks.StackNotifications;
import dev.agentstack.config.ConfigException;
import dev.agentstack.config.ControllerConfig;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.camel.CamelContext;
import org.apache.camel.main.Main;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;

/**
 * One running controller: Camel Main with our routes, the beans they call and the configuration as Camel properties.
 * The command line, demo mode and the route tests all start it this way.
 */
public final class Controller implements AutoCloseable {

    static final String JVM_METRICS_BINDERS = "jvm-memory,jvm-gc,jvm-thread,class-loader,processor,uptime";

    private final ControllerConfig config;
    private final KubernetesClient kubernetes;
    private final boolean ownsKubernetesClient;
    private final ControllerLifecycle lifecycle = new ControllerLifecycle();
    private final Map<String, Object> extraBeans = new LinkedHashMap<>();
    private final Properties extraProperties = new Properties();
    private String leaderIdentity = LeaderElection.defaultIdentity();
    private Main main;
    private CloseableHttpClient graphqlHttpClient;

    /**
     * @param kubernetes the API client to use, or null for fabric8's standard auto-configuration (in-cluster service
     *                   account, else KUBECONFIG or ~/.kube/config), so the controller talks to whatever kubectl would
     */
    public Controller(ControllerConfig config, KubernetesClient kubernetes) {
        this.config = config;
        this.ownsKubernetesClient = kubernetes == null;
        this.kubernetes = kubernetes != null ? kubernetes : defaultKubernetesClient();
    }

    /**
     * fabric8's auto-configuration (in-cluster, else KUBECONFIG or ~/.kube/config, KUBERNETES_MASTER overriding the
     * server), with fewer built-in retries: our routes retry on their own schedule, and a call that retries for
     * minutes against an unreachable API server would hold up shutdown. Its User-Agent names the controller and its
     * version, so the API server's audit log and metrics tell its calls from kubectl's.
     */
    static KubernetesClient defaultKubernetesClient() {
        Config config = new ConfigBuilder(Config.autoConfigure(null))
                .withRequestRetryBackoffLimit(2)
                .withUserAgent(Version.userAgent())
                .build();
        return new KubernetesClientBuilder().withConfig(config).build();
    }

    /** Adds or replaces a bean before start, e.g. a test probe. */
    public Controller withBean(String name, Object bean) {
        extraBeans.put(name, bean);
        return this;
    }

    /** This replica's name in the leader election (tests run several in one process). */
    public Controller withLeaderIdentity(String identity) {
        this.leaderIdentity = identity;
        return this;
    }

    /** Adds or overrides a Camel property before start. */
    public Controller withProperty(String key, String value) {
        extraProperties.setProperty(key, value);
        return this;
    }

    public synchronized void start() {
        if (main != null) {
            throw new IllegalStateException("already started");
        }
        Main m = new Main();
        Properties properties = camelProperties(config, agentToken(config, kubernetes));
        properties.putAll(extraProperties);
        m.setOverrideProperties(properties);
        UserRoutes userRoutes = UserRoutes.of(config.routesDir());
        m.configure().withRoutesIncludePattern(userRoutes.includePattern());
        registerKubernetesKinds(kubernetes);
        graphqlHttpClient = GraphqlHttpClients.create(
                config.buildkiteToken(),
                config.httpTimeout(),
                new dev.agentstack.buildkite.ResponseSizeLimit(config.maxResponseSize()));
        ControllerBeans.create(config, kubernetes, graphqlHttpClient, lifecycle, leaderIdentity)
                .forEach(m::bind);
        extraBeans.forEach(m::bind);
        main = m;
        try {
            m.start();
            installEndpoints(m.getCamelContext());
        } catch (Exception e) {
            close();
            ConfigException userMistake = userRoutes.explain(e);
            if (userMistake != null) {
                throw userMistake;
            }
            throw new IllegalStateException("controller failed to start: " + e.getMessage(), e);
        }
    }

    /**
     * fabric8 builds its registry of kinds (every model class of the jar, found through ServiceLoader) on the first
     * read of a watch event, on a Vert.x event loop: that took 2-3 s after a start under load, stalling the first
     * creations on that loop and logging "Thread blocked". Built here instead, before anything watches (about 0.7 s).
     */
    public static void registerKubernetesKinds(KubernetesClient client) {
        client.getKubernetesSerialization()
                .unmarshal("{\"apiVersion\":\"v1\",\"kind\":\"Status\"}", KubernetesResource.class);
    }

    /**
     * The agent token the Stacks API source uses: {@code BUILDKITE_AGENT_TOKEN} from the environment, else the
     * agent-token-secret Secret (read when asked, only in Stacks mode); one that cannot be read is a ConfigException.
     */
    static java.util.function.Supplier<String> agentToken(ControllerConfig config, KubernetesClient kubernetes) {
        return () -> AgentTokens.require(AgentTokens.of(
                System.getenv(), new AgentTokenSecret(kubernetes, config.namespace(), config.agentTokenSecret())));
    }

    /** The Camel properties of a controller: its options, and its management port's settings. */
    static Properties camelProperties(ControllerConfig config, java.util.function.Supplier<String> agentToken) {
        Properties properties = ControllerBeans.camelProperties(config, agentToken);
        properties.putAll(managementProperties(config));
        return properties;
    }

    /** Our endpoints on the management port (when it is on), once Camel has started its server. */
    static void installEndpoints(CamelContext context) {
        PodReadinessEndpoint.install(context);
        InfoEndpoint.install(context);
        PrometheusPortEndpoint.install(
                context,
                context.getRegistry()
                        .lookupByNameAndType(
                                "metricsRegistry", io.micrometer.prometheusmetrics.PrometheusMeterRegistry.class));
    }

    /**
     * Health and metrics on one port, or none when management-port is 0; metrics also on prometheus-port. Camel Main
     * reads them before any configuration class runs, so under camel run they are keys of application.properties
     * (examples/camel-run) instead.
     */
    static Properties managementProperties(ControllerConfig config) {
        Properties p = new Properties();
        boolean on = config.managementPort() > 0;
        int prometheusPort = config.get(dev.agentstack.config.Options.PROMETHEUS_PORT);
        p.setProperty("camel.management.enabled", String.valueOf(on));
        p.setProperty("camel.management.port", String.valueOf(on ? config.managementPort() : 0));
        p.setProperty("camel.management.health-check-enabled", "true");
        p.setProperty("camel.management.metrics-enabled", "true");
        p.setProperty("camel.metrics.enabled", String.valueOf(on || prometheusPort > 0));
        p.putAll(PrometheusPortEndpoint.properties(prometheusPort));
        // Camel's own meters: per route only. Its per-endpoint exchange timers and the context-wide route timer
        // record several meters per exchange, which a backlog pays for on every Job.
        p.setProperty("camel.metrics.enableExchangeEventNotifier", "false");
        p.setProperty("camel.metrics.routePolicyLevel", "route");
        // The JVM's own series (jvm_memory_*, jvm_gc_*, jvm_threads_*, jvm_classes_*, process_cpu_*, process_uptime_*)
        // from Micrometer's binders, on the registry /observe/metrics serves.
        p.setProperty("camel.metrics.binders", JVM_METRICS_BINDERS);
        return p;
    }

    /** A bean the routes use, for tests and the demo. */
    public <T> T bean(String name, Class<T> type) {
        return camelContext().getRegistry().lookupByNameAndType(name, type);
    }

    /**
     * Runs until stopped (a fatal failure, a shutdown signal or {@code maxMillis} elapsing; 0 means no limit) and
     * returns the process exit code.
     */
    public int runUntilStopped(long maxMillis) throws InterruptedException {
        Thread hook = new Thread(lifecycle::requestStop, "agent-stack-camel-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        start();
        lifecycle.awaitStopRequest(maxMillis > 0 ? maxMillis : Long.MAX_VALUE);
        close();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the JVM is already exiting because of the signal that stopped us
        }
        return lifecycle.exitCode();
    }

    public CamelContext camelContext() {
        return main == null ? null : main.getCamelContext();
    }

    public ControllerLifecycle lifecycle() {
        return lifecycle;
    }

    public ControllerConfig config() {
        return config;
    }

    public KubernetesClient kubernetes() {
        return kubernetes;
    }

    @Override
    public synchronized void close() {
        if (main != null) {
            try {
                // Timeline notes still queued are dropped, as the original drops them: stopping never waits on them.
                StackNotifications notes =
                        main.getCamelContext() == null ? null : bean("stackNotifications", StackNotifications.class);
                if (notes != null) {
                    notes.close();
                }
                main.stop();
            } catch (Exception ignored) {
                // stopping is best effort
            }
            main = null;
        }
        if (graphqlHttpClient != null) {
            try {
                graphqlHttpClient.close();
            } catch (IOException ignored) {
                // nothing to do
            }
            graphqlHttpClient = null;
        }
        if (ownsKubernetesClient) {
            kubernetes.close();
        }
    }
}
