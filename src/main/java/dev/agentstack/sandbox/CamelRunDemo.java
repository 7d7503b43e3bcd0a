package dev.agentstack.sandbox;

import dev.agentstack.config.ConfigLoader;
import dev.agentstack.config.ControllerConfig;
import dev.agentstack.runtime.ControllerBeans;
import dev.agentstack.runtime.ControllerLifecycle;
import dev.agentstack.buildkite.GraphqlHttpClients;
import dev.agentstack.runtime.LeaderElection;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.support.service.ServiceSupport;

/**
 * For {@code camel run} (Camel JBang): starts the demo's fakes (fake Buildkite seeded from examples/pipelines, embedded
 * Kubernetes API, simulated cluster) in the same JVM and binds the controller's beans and properties, so the routes
 * and Kamelets of this repository run unchanged against them. Name it with
 * {@code --prop camel.main.configuration-classes=dev.agentstack.sandbox.CamelRunDemo}. A config file (same format
 * as the controller's, e.g. for queues:) can be given with {@code --prop agent-stack-camel.config=<file>}.
 */
public final class CamelRunDemo implements CamelConfiguration {

    public static final String CONFIG_FILE_PROPERTY = "agent-stack-camel.config";

    @Override
    public void configure(CamelContext context) throws Exception {
        String configFile = context.getPropertiesComponent().resolveProperty(CONFIG_FILE_PROPERTY).orElse(null);
        ControllerConfig base = ConfigLoader.load(Map.of("org", DemoMode.ORG, "buildkite-token", "unused"), configFile,
                Map.of(), false);
        String token = "demo-" + UUID.randomUUID();
        String agentToken = "demo-agent-" + UUID.randomUUID();
        EmbeddedKubernetes kubernetes = new EmbeddedKubernetes();
        FakeBuildkite buildkite = FakeBuildkite.start(DemoMode.ORG, token).withAgentToken(agentToken);
        ExampleQueues examples = ExampleQueues.load();
        ControllerConfig config = DemoMode.demoConfig(base, examples, buildkite, token);
        DemoMode.createAgentTokenSecret(kubernetes, config, agentToken);
        DemoMode.seed(buildkite, config, examples, System.out);
        ClusterSimulator cluster = new ClusterSimulator(DemoMode.watching(kubernetes.newClient()),
                config.namespace(), "buildkite.com/controller-id=" + config.id(), Duration.ofSeconds(2), uuid -> { });

        Properties properties = ControllerBeans.camelProperties(config, () -> agentToken);
        properties.forEach((k, v) -> context.getPropertiesComponent().addOverrideProperty((String) k, (String) v));
        var graphqlHttpClient = GraphqlHttpClients.create(config.buildkiteToken(), config.httpTimeout(),
                new dev.agentstack.buildkite.ResponseSizeLimit(config.maxResponseSize()));
        ControllerBeans.create(config, DemoMode.watching(kubernetes.newClient()), graphqlHttpClient,
                new ControllerLifecycle(), LeaderElection.defaultIdentity()).forEach(context.getRegistry()::bind);
        context.addService(new ServiceSupport() {
            @Override
            protected void doStop() throws Exception {
                cluster.close();
                graphqlHttpClient.close();
                buildkite.close();
                kubernetes.close();
            }
        });
        System.out.println("demo: fake Buildkite at " + buildkite.baseUrl() + ", embedded Kubernetes API at "
                + kubernetes.url() + ", simulated cluster; queues " + config.queues().stream()
                .map(dev.agentstack.config.QueueConfig::name).toList());
    }
}
