package dev.agentstack.testing;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real control plane for the cluster tests ({@code *ClusterIT}, run by {@code mvn verify -Pcluster}): the first
 * test class that uses this extension runs {@code tools/cluster/up} in {@code target/cluster}, and the end of the
 * test run runs {@code tools/cluster/down}. Set {@code -Dcluster.keep=true} to leave it running for the next run.
 */
public final class LocalCluster implements BeforeAllCallback {

    private static final Path TOOLS = Path.of("tools", "cluster").toAbsolutePath();
    private static final Path DIR =
            Path.of(System.getProperty("cluster.dir", "target/cluster")).toAbsolutePath();
    private static final long SCRIPT_TIMEOUT_MINUTES = 60; // a cold up builds Kubernetes from source first

    @Override
    public void beforeAll(ExtensionContext context) {
        context.getRoot()
                .getStore(ExtensionContext.Namespace.GLOBAL)
                .getOrComputeIfAbsent(LocalCluster.class, k -> up(), Running.class);
    }

    /** Stops the cluster when the test run ends, unless asked to keep it. */
    private record Running() implements AutoCloseable {
        @Override
        public void close() {
            if (!Boolean.getBoolean("cluster.keep")) {
                run("down");
            }
        }
    }

    private static Running up() {
        run("up");
        return new Running();
    }

    public static Path kubeconfig() {
        return DIR.resolve("kubeconfig");
    }

    /** A new admin client (system:masters) of the cluster; the caller closes it. */
    public static KubernetesClient newClient() {
        try {
            return clientFor(Config.fromKubeconfig(Files.readString(kubeconfig())));
        } catch (IOException e) {
            throw new UncheckedIOException("no kubeconfig: is the cluster up? " + kubeconfig(), e);
        }
    }

    /** A new client that authenticates with a bearer token only, e.g. a service account's, over the admin's TLS. */
    public static KubernetesClient newClientWithToken(String token) {
        try (KubernetesClient admin = newClient()) {
            Config c = admin.getConfiguration();
            Config config = new io.fabric8.kubernetes.client.ConfigBuilder()
                    .withMasterUrl(c.getMasterUrl())
                    .withCaCertData(c.getCaCertData())
                    .withOauthToken(token)
                    .build();
            return clientFor(config);
        }
    }

    private static KubernetesClient clientFor(Config config) {
        config.setRequestRetryBackoffLimit(2);
        return new KubernetesClientBuilder().withConfig(config).build();
    }

    /** Stops and starts the API server on the same port and etcd; returns once it answers /readyz again. */
    public static void restartApiServer() {
        run("restart-apiserver");
    }

    private static void run(String script) {
        Path log = DIR.resolveSibling("cluster-" + script + ".log");
        try {
            Files.createDirectories(DIR);
            Process p = new ProcessBuilder(List.of(TOOLS.resolve(script).toString(), DIR.toString()))
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
            if (!p.waitFor(SCRIPT_TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
                p.destroy();
                throw new IllegalStateException("tools/cluster/" + script + " did not finish; see " + log);
            }
            if (p.exitValue() != 0) {
                throw new IllegalStateException("tools/cluster/" + script + " failed (exit " + p.exitValue() + "): "
                        + Files.readString(log, StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
