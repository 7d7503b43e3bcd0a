package dev.agentstack.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.agentstack.config.ConfigException;
import dev.agentstack.config.ControllerConfig;
import dev.agentstack.testing.AutoConfiguredKubernetes;
import dev.agentstack.testing.ControllerHarness;
import dev.agentstack.testing.FreePort;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.apache.camel.main.Main;
import org.junit.jupiter.api.Test;

/**
 * {@code camel run routes/*.camel.yaml examples/camel-run/application.properties <jar> --local-kamelet-dir=kamelets}:
 * Camel Main with that properties file, those routes and that Kamelet folder, as Camel JBang starts it.
 */
class CamelRunControllerTest {

    static final String EXAMPLE = CamelRunController.EXAMPLE;

    @Test
    void theExamplePropertiesRunTheControllerAgainstTheClusterFabric8AutoConfigures() throws Exception {
        try (ControllerHarness fakes = new ControllerHarness()) {
            String uuid = fakes.schedulePipeline("""
                    steps:
                      - command: echo hello
                        agents: {queue: kubernetes}
                    """).get(0);
            Map<String, String> cluster = AutoConfiguredKubernetes.settings(fakes.kubernetes());
            cluster.forEach(System::setProperty);
            Main main = camelRun(againstFakes(fakes));
            try {
                main.start();
                await().atMost(ControllerHarness.WAIT).until(() -> fakes.job(uuid) != null);
                // The file's options reached the controller through the catalogue: the poll interval in milliseconds.
                assertThat(main.getCamelContext().resolvePropertyPlaceholders("{{poll-interval}}"))
                        .isEqualTo("1000");
                assertThat(main.getCamelContext()
                                .getRegistry()
                                .lookupByNameAndType("kubernetesClient", KubernetesClient.class)
                                .getMasterUrl()
                                .toString())
                        .startsWith(fakes.kubernetes().url());
            } finally {
                main.stop();
                cluster.keySet().forEach(System::clearProperty);
            }
        }
    }

    /** As run exits 2, Camel stops: no retry makes an organization exist. */
    @Test
    void anOrganizationThatDoesNotExistStopsCamel() throws Exception {
        try (ControllerHarness fakes = new ControllerHarness()) {
            Map<String, String> cluster = AutoConfiguredKubernetes.settings(fakes.kubernetes());
            cluster.forEach(System::setProperty);
            Properties prop = againstFakes(fakes);
            prop.setProperty("org", "no-such-org");
            Main main = camelRun(prop);
            try {
                main.start();
                await().atMost(ControllerHarness.WAIT)
                        .until(() -> main.getCamelContext().isStopped());
            } finally {
                main.stop();
                cluster.keySet().forEach(System::clearProperty);
            }
        }
    }

    @Test
    void theDemoProfileStartsTheFakesAndCreatesTheirJobs() throws Exception {
        Properties prop = new Properties();
        prop.setProperty("camel.main.profile", CamelRunController.DEMO_PROFILE);
        int port = FreePort.find();
        prop.setProperty("camel.management.port", String.valueOf(port));
        Main main = camelRun(prop);
        try {
            main.start();
            KubernetesClient kubernetes = main.getCamelContext()
                    .getRegistry()
                    .lookupByNameAndType("kubernetesClient", KubernetesClient.class);
            String namespace = main.getCamelContext().resolvePropertyPlaceholders("{{namespace}}");
            await().atMost(ControllerHarness.WAIT)
                    .until(() -> kubernetes
                                    .batch()
                                    .v1()
                                    .jobs()
                                    .inNamespace(namespace)
                                    .list()
                                    .getItems()
                                    .size()
                            >= 2);
            // The example's management keys serve what run serves: our info and pod-readiness endpoints, JVM metrics.
            assertThat(get(port, "/observe/info")).contains("\"name\":\"agent-stack-camel\"");
            assertThat(get(port, "/observe/health/pod")).contains("\"status\":\"UP\"");
            assertThat(get(port, "/observe/metrics")).contains("jvm_memory_used_bytes", "buildkite_");
        } finally {
            main.stop();
        }
    }

    /** Camel Main reads camel.management.* before the controller starts, so the example carries run's own. */
    @Test
    void theExampleSetsHealthAndMetricsAsRunDoesOnItsDefaultPort() throws Exception {
        Properties example = new Properties();
        try (var in = Files.newBufferedReader(Path.of(EXAMPLE))) {
            example.load(in);
        }
        Properties run =
                Controller.managementProperties(ControllerConfig.builder().build());
        assertThat(run).isNotEmpty();
        run.forEach((key, value) ->
                assertThat(example.getProperty((String) key)).as((String) key).isEqualTo(value));
    }

    @Test
    void anOptionOnlyAConfigFileCanSetIsRefusedAsAPropertyByName() {
        Map<String, String> props = Map.of("org", "acme", "queues", "[]");
        assertThatThrownBy(() -> CamelRunController.options(key -> Optional.ofNullable(props.get(key))))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("queues")
                .hasMessageContaining(CamelRunController.CONFIG_FILE_PROPERTY);
        assertThat(CamelRunController.options(
                        key -> Optional.ofNullable(Map.of("org", "acme").get(key))))
                .containsExactly(Map.entry("org", "acme"));
    }

    /** As --prop would give them: the file's org and namespace overridden; the token is never in the file. */
    static Properties againstFakes(ControllerHarness fakes) {
        Properties prop = new Properties();
        prop.setProperty("org", ControllerHarness.ORG);
        prop.setProperty("buildkite-token", ControllerHarness.TOKEN);
        prop.setProperty("graphql-endpoint", fakes.buildkite().graphqlEndpoint());
        prop.setProperty("agent-endpoint", fakes.buildkite().agentEndpoint());
        prop.setProperty("namespace", fakes.namespace());
        prop.setProperty("camel.management.enabled", "false");
        return prop;
    }

    static String get(int port, String path) throws Exception {
        return HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
    }

    /** Camel Main as camel run sets it up: the properties file, the routes of routes/ and the Kamelets of kamelets/. */
    static Main camelRun(Properties prop) {
        Main main = new Main();
        main.setPropertyPlaceholderLocations("file:" + EXAMPLE);
        main.configure().withRoutesIncludePattern("file:routes/*.camel.yaml");
        main.addInitialProperty("camel.component.kamelet.location", "file:kamelets");
        main.setOverrideProperties(prop);
        return main;
    }
}
