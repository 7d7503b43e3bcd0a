package dev.agentstack.runtime;

import dev.agentstack.config.ControllerConfig;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.PrintStream;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;

/**
 * The demo: the real controller against embedded fakes (a fake Buildkite seeded from examples/pipelines, a mock
 * Kubernetes API, a simulated cluster). Only the demo jar has an implementation ({@code dev.agentstack.sandbox}, found
 * through ServiceLoader), so the production jar carries neither the fakes nor a link to them.
 */
public interface Demo {

    /** What {@code demo}, or {@code camel run} with the demo property, says in the production jar. */
    String NOT_IN_THIS_JAR = "the demo is not in this jar: use target/agent-stack-camel-demo.jar"
            + " (java -jar target/agent-stack-camel-demo.jar demo)";

    /** The {@code demo} command: runs the controller against the fakes and prints what became of each job. */
    int run(Map<String, String> options, String configFile, long maxSeconds, Map<String, String> env, PrintStream out)
            throws InterruptedException;

    /** Starts the fakes for a controller that Camel Main wires itself ({@link CamelRunController}). */
    Fakes start(ControllerConfig base, PrintStream out);

    /** Running fakes: the configuration pointed at them, and a client of their Kubernetes API. */
    interface Fakes extends AutoCloseable {

        ControllerConfig config();

        KubernetesClient kubernetes();

        @Override
        void close();
    }

    /** The demo, when this jar has it. */
    static Optional<Demo> installed() {
        return ServiceLoader.load(Demo.class, Demo.class.getClassLoader()).findFirst();
    }
}
