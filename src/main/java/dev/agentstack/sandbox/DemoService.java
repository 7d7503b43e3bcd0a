package dev.agentstack.sandbox;

import dev.agentstack.config.ControllerConfig;
import dev.agentstack.config.QueueConfig;
import dev.agentstack.kubernetes.JobLabels;
import dev.agentstack.runtime.Demo;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

/** The demo jar's {@link Demo}, named in META-INF/services (which the production jar leaves out). */
public final class DemoService implements Demo {

    @Override
    public int run(
            Map<String, String> options, String configFile, long maxSeconds, Map<String, String> env, PrintStream out)
            throws InterruptedException {
        return DemoMode.run(options, configFile, maxSeconds, env, out);
    }

    @Override
    public Fakes start(ControllerConfig base, PrintStream out) {
        // Real-looking secrets that must never be printed.
        String token = "demo-" + UUID.randomUUID();
        String agentToken = "demo-agent-" + UUID.randomUUID();
        EmbeddedKubernetes kubernetes = new EmbeddedKubernetes();
        FakeBuildkite buildkite = FakeBuildkite.start(DemoMode.ORG, token).withAgentToken(agentToken);
        ExampleQueues examples = ExampleQueues.load();
        ControllerConfig config = DemoMode.demoConfig(base, examples, buildkite, token);
        DemoMode.createAgentTokenSecret(kubernetes, config, agentToken);
        DemoMode.seed(buildkite, config, examples, out);
        ClusterSimulator cluster = new ClusterSimulator(
                DemoMode.watching(kubernetes.newClient()),
                config.namespace(),
                JobLabels.controllerSelector(config.id()),
                Duration.ofSeconds(2),
                uuid -> {});
        KubernetesClient client = DemoMode.watching(kubernetes.newClient());
        out.println("demo: fake Buildkite at " + buildkite.baseUrl() + ", embedded Kubernetes API at "
                + kubernetes.url() + ", simulated cluster; queues "
                + config.queues().stream().map(QueueConfig::name).toList());
        return new Fakes() {
            @Override
            public ControllerConfig config() {
                return config;
            }

            @Override
            public KubernetesClient kubernetes() {
                return client;
            }

            @Override
            public void close() {
                cluster.close();
                client.close();
                buildkite.close();
                kubernetes.close();
            }
        };
    }
}
