package dev.agentstack.runtime;

import dev.agentstack.buildkite.GraphqlHttpClients;
import dev.agentstack.buildkite.ResponseSizeLimit;
import dev.agentstack.config.ConfigException;
import dev.agentstack.config.ConfigLoader;
import dev.agentstack.config.ControllerConfig;
import dev.agentstack.config.Option;
import dev.agentstack.config.Options;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.StartupListener;
import org.apache.camel.spi.PropertiesComponent;
import org.apache.camel.support.service.ServiceSupport;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.slf4j.LoggerFactory;

/**
 * The controller under {@code camel run} (Camel JBang) or any Camel Main that loads our routes and Kamelets: name it
 * in {@code camel.main.configuration-classes}. Every option of the catalogue is a Camel property under its own key
 * ({@code org}, {@code tags}, {@code poll-interval}, ... in application.properties or {@code --prop}), over a config
 * file named by {@value #CONFIG_FILE_PROPERTY} and the {@code AGENT_STACK_*} environment, as {@code run} reads them.
 * Kubernetes is fabric8's auto-configured client (in-cluster, else KUBECONFIG or ~/.kube/config), as for {@code run}.
 * The profile {@value #DEMO_PROFILE} ({@code camel run --profile=demo}) runs it against the demo's fakes instead.
 * Health and metrics are Camel Main's {@code camel.management.*} keys, as in {@value #EXAMPLE}.
 */
public final class CamelRunController implements CamelConfiguration {

    /** A config file in the format of {@code run --config}: for options only a file can set (queues, patches). */
    public static final String CONFIG_FILE_PROPERTY = "agent-stack-camel.config";
    /** The Camel profile ({@code camel.main.profile}, {@code camel run --profile}) that runs against the fakes. */
    public static final String DEMO_PROFILE = "demo";
    /** The application.properties to start from; it also sets the management port, which only Camel Main can. */
    public static final String EXAMPLE = "examples/camel-run/application.properties";

    @Override
    public void configure(CamelContext context) throws Exception {
        PropertiesComponent properties = context.getPropertiesComponent();
        // Camel Main sets the profile from camel.main.profile, and Camel JBang from --profile, before this runs.
        boolean demo = DEMO_PROFILE.equals(context.getCamelContextExtension().getProfile());
        ControllerConfig base = ConfigLoader.load(
                options(properties::resolveProperty),
                properties.resolveProperty(CONFIG_FILE_PROPERTY).orElse(null),
                System.getenv(),
                !demo);
        Demo.Fakes fakes = demo
                ? Demo.installed()
                        .orElseThrow(() -> new ConfigException(Demo.NOT_IN_THIS_JAR))
                        .start(base, System.out)
                : null;
        ControllerConfig config = fakes != null ? fakes.config() : base;
        KubernetesClient kubernetes = fakes != null ? fakes.kubernetes() : Controller.defaultKubernetesClient();
        Controller.registerKubernetesKinds(kubernetes);

        // The options as the routes read them (durations in milliseconds, the token as a Kamelet property).
        ControllerBeans.camelProperties(config, Controller.agentToken(config, kubernetes))
                .forEach((k, v) -> properties.addOverrideProperty((String) k, (String) v));
        for (Option<Integer> port : java.util.List.of(Options.MANAGEMENT_PORT, Options.PROMETHEUS_PORT)) {
            if (base.isSet(port)) {
                LoggerFactory.getLogger("dev.agentstack.controller")
                        .warn(
                                "{} does not apply under camel run: Camel"
                                        + " opens its ports before the controller starts (camel.management.*, camel.server.*; see {})",
                                port.key(),
                                EXAMPLE);
            }
        }
        CloseableHttpClient graphqlHttpClient = GraphqlHttpClients.create(
                config.buildkiteToken(), config.httpTimeout(), new ResponseSizeLimit(config.maxResponseSize()));
        ControllerLifecycle lifecycle = new ControllerLifecycle();
        // Camel's metrics service has made and bound its registry before this runs: our meters go on it.
        PrometheusMeterRegistry metrics =
                context.getRegistry().lookupByNameAndType("metricsRegistry", PrometheusMeterRegistry.class);
        ControllerBeans.create(
                        config,
                        kubernetes,
                        graphqlHttpClient,
                        lifecycle,
                        LeaderElection.defaultIdentity(),
                        metrics != null ? metrics : new PrometheusMeterRegistry(PrometheusConfig.DEFAULT))
                .forEach(context.getRegistry()::bind);
        context.addStartupListener(new StartupListener() {
            @Override
            public void onCamelContextStarted(CamelContext started, boolean alreadyStarted) {
                // the management server is not up yet
            }

            @Override
            public void onCamelContextFullyStarted(CamelContext started, boolean alreadyStarted) {
                Controller.installEndpoints(started);
            }
        });
        context.addService(new Running(context, lifecycle, () -> {
            graphqlHttpClient.close();
            if (fakes != null) {
                fakes.close();
            } else {
                kubernetes.close();
            }
        }));
    }

    /**
     * The options given as Camel properties, by key, as {@code run} takes its flags. An option only a config file can
     * set is an error here, as it is on the command line, rather than a value silently ignored.
     */
    static Map<String, String> options(Function<String, Optional<String>> property) {
        Map<String, String> options = new LinkedHashMap<>();
        for (Option<?> option : Options.ALL) {
            Optional<String> value = property.apply(option.key());
            if (value.isEmpty()) {
                continue;
            }
            if (option.isFileOnly()) {
                throw new ConfigException(
                        option, "can only be set in a config file (name it with " + CONFIG_FILE_PROPERTY + ")");
            }
            options.put(option.key(), value.get());
        }
        return options;
    }

    /** What the controller opened, closed when Camel stops; and Camel stopped when the controller fails for good. */
    private static final class Running extends ServiceSupport {

        private final CamelContext context;
        private final ControllerLifecycle lifecycle;
        private final Closer closer;
        private Thread watcher;

        Running(CamelContext context, ControllerLifecycle lifecycle, Closer closer) {
            this.context = context;
            this.lifecycle = lifecycle;
            this.closer = closer;
        }

        @Override
        protected void doStart() {
            // ControllerLifecycle.fail (e.g. the organization does not exist) has logged why; no retry can help.
            watcher = new Thread(
                    () -> {
                        try {
                            lifecycle.awaitStopRequest(Long.MAX_VALUE);
                            context.stop();
                        } catch (InterruptedException stopping) {
                            Thread.currentThread().interrupt();
                        }
                    },
                    "agent-stack-camel-lifecycle");
            watcher.setDaemon(true);
            watcher.start();
        }

        @Override
        protected void doStop() throws IOException {
            if (watcher != null && watcher != Thread.currentThread()) {
                watcher.interrupt();
            }
            closer.close();
        }
    }

    @FunctionalInterface
    private interface Closer {
        void close() throws IOException;
    }
}
