package dev.agentstack.chart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import dev.agentstack.config.ControllerConfig;
import dev.agentstack.config.Options;
import dev.agentstack.kubernetes.KubernetesApiCalls;
import dev.agentstack.runtime.Version;
import dev.agentstack.testing.ControllerHarness;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.openshift.api.model.monitoring.v1.PodMonitor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The Helm chart, linted and rendered by Helm's own Go code (helm-java): with each values file of examples/values/,
 * every object is a valid Kubernetes object, the controller accepts the config the chart gives it, and the Role grants
 * exactly the calls the controller makes.
 */
class ChartTest {

    private static final Path EXAMPLES = Path.of("examples/values");
    private static final String FULLNAME = RenderedChart.RELEASE + "-agent-stack-camel";
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path scratch;

    static Stream<Path> examples() throws IOException {
        try (Stream<Path> files = Files.list(EXAMPLES)) {
            return files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList().stream();
        }
    }

    private static Path example(String name) {
        return EXAMPLES.resolve(name);
    }

    // ---- lint

    /** {@code helm lint --strict -f <example>}: helm-java's lint reads only the chart's values.yaml, so merge it in. */
    @ParameterizedTest
    @MethodSource("examples")
    void lintPassesStrictWithEachExample(Path values) throws Exception {
        Path chart = copyOfChartWithValues(values);
        LintResult lint = new Helm(chart).lint().strict().call();
        assertThat(lint.getMessages()).noneMatch(m -> m.startsWith("[ERROR]") || m.startsWith("[WARNING]"));
        assertThat(lint.isFailed()).isFalse();
    }

    /** No dummy defaults: as shipped, the chart lints only once the agent token (or agentStackSecret) is given. */
    @Test
    void theChartAsShippedAsksForTheAgentTokenAndNothingElse() {
        LintResult lint = new Helm(RenderedChart.CHART).lint().strict().call();
        assertThat(lint.isFailed()).isTrue();
        String errors = String.join("\n", lint.getMessages());
        Matcher at = Pattern.compile("at '(/[^']*)'").matcher(errors);
        Set<String> paths = new TreeSet<>();
        while (at.find()) {
            paths.add(at.group(1));
        }
        assertThat(paths).containsExactly("/agentToken");
    }

    private Path copyOfChartWithValues(Path valuesFile) throws IOException {
        Path chart = copyOfChart();
        JsonNode merged = ValuesMerge.merge(
                YAML.readTree(RenderedChart.CHART.resolve("values.yaml").toFile()), YAML.readTree(valuesFile.toFile()));
        YAML.writeValue(chart.resolve("values.yaml").toFile(), merged);
        return chart;
    }

    private Path copyOfChart() throws IOException {
        Path chart = scratch.resolve("agent-stack-camel");
        try (Stream<Path> files = Files.walk(RenderedChart.CHART)) {
            for (Path source : files.toList()) {
                Path target =
                        chart.resolve(RenderedChart.CHART.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(source, target);
                }
            }
        }
        return chart;
    }

    // ---- every example

    @ParameterizedTest
    @MethodSource("examples")
    void everyObjectIsAKubernetesObjectFabric8Knows(Path values) {
        RenderedChart chart = RenderedChart.render(values);
        assertThat(chart.objects()).isNotEmpty();
        for (HasMetadata object : chart.objects()) {
            String what = object.getKind() + " " + object.getMetadata().getName();
            assertThat(object)
                    .as(what + " parses into fabric8's model")
                    .isNotInstanceOf(GenericKubernetesResource.class);
            assertThat(UnknownFields.in(object))
                    .as(what + ": fields Kubernetes does not know")
                    .isEmpty();
        }
    }

    @ParameterizedTest
    @MethodSource("examples")
    void everythingIsNamespacedAndLabelled(Path values) throws IOException {
        RenderedChart chart = RenderedChart.render(values);
        String jobsNamespace = jobsNamespaceOf(values);
        Set<String> namespaces = new TreeSet<>(List.of(RenderedChart.NAMESPACE, jobsNamespace));
        chart.objects().stream()
                .filter(o ->
                        o instanceof PodMonitor || o.getMetadata().getLabels().containsKey("grafana_dashboard"))
                .forEach(o -> namespaces.add("monitoring"));
        for (HasMetadata object : chart.objects()) {
            assertThat(object.getKind()).doesNotStartWith("Cluster");
            if (object instanceof Namespace) {
                assertThat(object.getMetadata().getName())
                        .as("the only namespace the chart may own")
                        .isEqualTo(jobsNamespace)
                        .isNotEqualTo(RenderedChart.NAMESPACE);
            } else {
                assertThat(object.getMetadata().getNamespace())
                        .as(object.getKind())
                        .isIn(namespaces);
            }
            assertThat(object.getMetadata().getLabels())
                    .containsEntry("app.kubernetes.io/instance", RenderedChart.RELEASE)
                    .containsEntry("app.kubernetes.io/name", "agent-stack-camel")
                    .containsEntry("app.kubernetes.io/managed-by", "Helm")
                    .containsKey("helm.sh/chart");
        }
    }

    /** The config.yaml the chart renders goes through the controller's own loader, so no key or type mismatch hides. */
    @ParameterizedTest
    @MethodSource("examples")
    void theControllerAcceptsTheRenderedConfig(Path values) throws IOException {
        RenderedChart chart = RenderedChart.render(values);
        ControllerConfig config = chart.controllerConfig(scratch);
        assertThat(config.org()).isEqualTo("acme");
        assertThat(config.namespace()).isEqualTo(jobsNamespaceOf(values));
        assertThat(config.id()).isEqualTo(FULLNAME);
        assertThat(config.managementPort()).isEqualTo(8080);

        Container controller = chart.controller();
        assertThat(env(controller, "CONFIG").getValue())
                .isEqualTo(mountPathOf(chart, FULLNAME + "-config") + "/config.yaml");
        assertThat(chart.configFile())
                .as("the GraphQL token comes from the Secret")
                .doesNotContainPattern("(?m)^buildkite-token:")
                .doesNotContain("example-graphql-token");
    }

    @ParameterizedTest
    @MethodSource("examples")
    void theRoleGrantsExactlyTheCallsTheControllerMakes(Path values) {
        RenderedChart chart = RenderedChart.render(values);
        ControllerConfig config = chart.controllerConfig(scratch);

        Set<String> expected = new TreeSet<>();
        for (KubernetesApiCalls.Permission call : KubernetesApiCalls.ALL) {
            if (!call.onlyWhen().isEmpty() && !Boolean.TRUE.equals(config.get(Options.byKey(call.onlyWhen())))) {
                continue;
            }
            call.verbs()
                    .forEach(verb -> expected.add(
                            grant(call.apiGroup(), call.resource(), verb, pinnedNames(call, verb, config))));
        }
        Set<String> granted = new TreeSet<>();
        List<Role> roles = chart.all(Role.class);
        for (Role role : roles) {
            String namespace = role.equals(chart.role()) ? config.namespace() : RenderedChart.NAMESPACE;
            assertThat(role.getMetadata().getNamespace())
                    .as(role.getMetadata().getName())
                    .isEqualTo(namespace);
            granted.addAll(grants(role));
        }
        assertThat(granted).isEqualTo(expected);

        String controllerAccount =
                chart.deployment().getSpec().getTemplate().getSpec().getServiceAccountName();
        assertThat(chart.named("ServiceAccount", controllerAccount)
                        .getMetadata()
                        .getNamespace())
                .isEqualTo(RenderedChart.NAMESPACE);
        List<RoleBinding> bindings = chart.all(RoleBinding.class);
        assertThat(bindings).hasSameSizeAs(roles);
        for (RoleBinding binding : bindings) {
            assertThat(binding.getRoleRef().getKind()).isEqualTo("Role");
            assertThat(chart.named("Role", binding.getRoleRef().getName())
                            .getMetadata()
                            .getNamespace())
                    .isEqualTo(binding.getMetadata().getNamespace());
            assertThat(binding.getSubjects()).singleElement().satisfies(s -> {
                assertThat(s.getKind()).isEqualTo("ServiceAccount");
                assertThat(s.getName()).isEqualTo(controllerAccount);
                assertThat(s.getNamespace()).isEqualTo(RenderedChart.NAMESPACE);
            });
        }
    }

    /**
     * The names a rule may pin a call to: the agent-token Secret, and our Lease for every verb but create (the API
     * server authorizes a create before the object has a name, so RBAC cannot restrict it by name).
     */
    private static List<String> pinnedNames(KubernetesApiCalls.Permission call, String verb, ControllerConfig config) {
        if (call.resource().equals("secrets") && call.namedOnly()) {
            return List.of(config.agentTokenSecret());
        }
        if (call.resource().equals("leases") && !verb.equals("create")) {
            return List.of(config.leaderElectionLeaseName());
        }
        return List.of();
    }

    private static Set<String> grants(Role role) {
        Set<String> granted = new TreeSet<>();
        for (PolicyRule rule : role.getRules()) {
            assertThat(rule.getNonResourceURLs()).isEmpty();
            for (String group : rule.getApiGroups()) {
                for (String resource : rule.getResources()) {
                    rule.getVerbs().forEach(verb -> granted.add(grant(group, resource, verb, rule.getResourceNames())));
                }
            }
        }
        return granted;
    }

    private static String grant(String group, String resource, String verb, List<String> names) {
        return (group.isEmpty() ? "core" : group) + "/" + resource + " " + verb + " " + new TreeSet<>(names);
    }

    @ParameterizedTest
    @MethodSource("examples")
    void thePodMeetsTheRestrictedPodSecurityStandard(Path values) {
        RenderedChart chart = RenderedChart.render(values);
        assertRestricted(chart.deployment().getSpec().getTemplate().getSpec(), chart.controller());
        // The JVM and Vert.x need a writable /tmp on the read-only root filesystem.
        assertThat(mountPathOf(chart, null, "tmp")).isEqualTo("/tmp");
        assertThat(env(chart.controller(), "JAVA_TOOL_OPTIONS").getValue())
                .contains(
                        "-Dvertx.cacheDirBase=/tmp/vertx-cache", "-XX:MaxRAMPercentage=50", "-XX:TieredStopAtLevel=1");
        assertThat(chart.controller().getResources().getLimits()).containsKey("memory");
    }

    @ParameterizedTest
    @MethodSource("examples")
    void probesUseTheManagementEndpoints(Path values) {
        Container controller = RenderedChart.render(values).controller();
        assertThat(controller.getPorts()).singleElement().satisfies(p -> {
            assertThat(p.getName()).isEqualTo("management");
            assertThat(p.getContainerPort()).isEqualTo(8080);
        });
        assertThat(controller.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/observe/health/live");
        assertThat(controller.getStartupProbe().getHttpGet().getPath()).isEqualTo("/observe/health/live");
        // Not /observe/health/ready: a standby must stay Ready to be electable.
        assertThat(controller.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/observe/health/pod");
        assertThat(controller.getReadinessProbe().getHttpGet().getPort().getStrVal())
                .isEqualTo("management");
    }

    // ---- credentials

    /** Job pods may reference the agent-token Secret (the agent reads it), so the GraphQL token is never in it. */
    @Test
    void eachTokenGoesIntoASecretOfItsOwnAndNowhereElse() {
        RenderedChart chart = RenderedChart.render(example("tokens.yaml"));
        assertThat(chart.all(Secret.class)).hasSize(2);
        Secret agent = (Secret) chart.named("Secret", FULLNAME + "-agent-token");
        assertThat(agent.getData()).containsOnlyKeys("BUILDKITE_AGENT_TOKEN");
        assertThat(decode(agent.getData().get("BUILDKITE_AGENT_TOKEN"))).isEqualTo("example-agent-token");
        Secret graphql = (Secret) chart.named("Secret", FULLNAME + "-graphql-token");
        assertThat(graphql.getData()).containsOnlyKeys("BUILDKITE_TOKEN");
        assertThat(decode(graphql.getData().get("BUILDKITE_TOKEN"))).isEqualTo("example-graphql-token");

        ControllerConfig config = chart.controllerConfig(scratch);
        assertThat(config.agentTokenSecret())
                .as("agent pods read the agent token from it")
                .isEqualTo(FULLNAME + "-agent-token");
        assertThat(config.buildkiteTokenSecret())
                .as("the pod policy keeps job containers away from it")
                .isEqualTo(FULLNAME + "-graphql-token");
        assertThat(chart.role().getRules())
                .filteredOn(r -> r.getResources().contains("secrets"))
                .singleElement()
                .satisfies(r -> assertThat(r.getResourceNames()).containsExactly(FULLNAME + "-agent-token"));
        EnvVar token = env(chart.controller(), "BUILDKITE_TOKEN");
        assertThat(token.getValueFrom().getSecretKeyRef().getName()).isEqualTo(FULLNAME + "-graphql-token");
        assertThat(token.getValueFrom().getSecretKeyRef().getKey()).isEqualTo("BUILDKITE_TOKEN");
        assertThat(token.getValueFrom().getSecretKeyRef().getOptional()).isNull();
        assertThat(chart.controller().getEnvFrom())
                .as("the controller gets only the GraphQL token")
                .isEmpty();
        assertThat(chart.deployment().getSpec().getTemplate().getMetadata().getAnnotations())
                .containsKey("checksum/secrets");

        for (ConfigMap map : chart.all(ConfigMap.class)) {
            assertThat(map.getData().values())
                    .noneMatch(v -> v.contains("example-agent-token") || v.contains("example-graphql-token"));
        }
    }

    /** The original's #181: with an existing Secret its schema still demanded both tokens. One Secret still works. */
    @Test
    void anExistingSecretNeedsNoTokens() {
        RenderedChart chart = RenderedChart.render(example("agent-stack-secret.yaml"));
        assertThat(chart.all(Secret.class)).isEmpty();
        assertThat(chart.controllerConfig(scratch).agentTokenSecret()).isEqualTo("buildkite-agent-stack");
        EnvVar token = env(chart.controller(), "BUILDKITE_TOKEN");
        assertThat(token.getValueFrom().getSecretKeyRef().getName()).isEqualTo("buildkite-agent-stack");
        assertThat(token.getValueFrom().getSecretKeyRef().getOptional()).isTrue();
        assertThat(chart.deployment().getSpec().getTemplate().getMetadata().getAnnotations())
                .doesNotContainKey("checksum/secrets");
    }

    @Test
    void aGraphqlTokenFromControllerEnvReplacesTheChartsOwn() {
        RenderedChart chart = RenderedChart.render(
                example("agent-stack-secret.yaml"),
                t -> t.set("controllerEnv[0].name", "BUILDKITE_TOKEN")
                        .set("controllerEnv[0].valueFrom.secretKeyRef.name", "graphql")
                        .set("controllerEnv[0].valueFrom.secretKeyRef.key", "token"));
        List<EnvVar> tokens = chart.controller().getEnv().stream()
                .filter(e -> e.getName().equals("BUILDKITE_TOKEN"))
                .toList();
        assertThat(tokens)
                .singleElement()
                .satisfies(e ->
                        assertThat(e.getValueFrom().getSecretKeyRef().getName()).isEqualTo("graphql"));
    }

    /** The agent token is needed in every mode; a GraphQL token only for the GraphQL API. */
    @Test
    void withoutTheAgentTokenOrAnExistingSecretTheSchemaRefuses() {
        assertThatThrownBy(() -> RenderedChart.render(null, t -> t.set("config.org", "acme")))
                .hasMessageContaining("/agentToken")
                .hasMessageNotContaining("/graphqlToken");
        assertThatThrownBy(() -> RenderedChart.render(
                        null, t -> t.set("config.org", "acme").set("graphqlTokenExistingSecret", "buildkite-graphql")))
                .hasMessageContaining("/agentToken")
                .hasMessageNotContaining("/graphqlToken");
    }

    @Test
    void theGraphqlTokenCanComeFromAnExistingSecretOfItsOwn() {
        RenderedChart chart = RenderedChart.render(
                example("agent-stack-secret.yaml"),
                t -> t.set("graphqlTokenExistingSecret", "buildkite-graphql")
                        .set("graphqlTokenExistingSecretKey", "token"));
        assertThat(chart.all(Secret.class)).isEmpty();
        EnvVar token = env(chart.controller(), "BUILDKITE_TOKEN");
        assertThat(token.getValueFrom().getSecretKeyRef().getName()).isEqualTo("buildkite-graphql");
        assertThat(token.getValueFrom().getSecretKeyRef().getKey()).isEqualTo("token");
        assertThat(token.getValueFrom().getSecretKeyRef().getOptional()).isNull();
        assertThat(chart.controllerConfig(scratch).agentTokenSecret()).isEqualTo("buildkite-agent-stack");
    }

    @Test
    void theChartMakesTheGraphqlTokenSecretNextToAnExistingAgentTokenSecret() {
        RenderedChart chart = RenderedChart.render(example("agent-stack-secret.yaml"), t -> t.set("graphqlToken", "g"));
        Secret graphql = chart.one(Secret.class);
        assertThat(graphql.getMetadata().getName()).isEqualTo(FULLNAME + "-graphql-token");
        assertThat(env(chart.controller(), "BUILDKITE_TOKEN")
                        .getValueFrom()
                        .getSecretKeyRef()
                        .getName())
                .isEqualTo(FULLNAME + "-graphql-token");
        assertThat(chart.deployment().getSpec().getTemplate().getMetadata().getAnnotations())
                .containsKey("checksum/secrets");
    }

    /** A token next to the Secret meant to hold it would be silently unused; the schema says so instead. */
    @Test
    void aTokenNextToItsExistingSecretIsRefused() {
        assertThatThrownBy(
                        () -> RenderedChart.render(example("agent-stack-secret.yaml"), t -> t.set("agentToken", "x")))
                .hasMessageContaining("/agentToken");
        assertThatThrownBy(() -> RenderedChart.render(
                        example("tokens.yaml"), t -> t.set("graphqlTokenExistingSecret", "buildkite-graphql")))
                .hasMessageContaining("/graphqlToken");
    }

    private static String decode(String base64) {
        return new String(Base64.getDecoder().decode(base64), StandardCharsets.UTF_8);
    }

    // ---- replicas and leader election

    @Test
    void oneReplicaRunsWithoutLeaderElectionAndIsRecreatedOnUpdate() {
        RenderedChart chart = RenderedChart.render(example("agent-stack-secret.yaml"));
        assertThat(chart.controllerConfig(scratch).leaderElection()).isFalse();
        assertThat(chart.configFile()).doesNotContain("leader-election");
        assertThat(chart.role().getRules()).noneMatch(r -> r.getResources().contains("leases"));
        assertThat(chart.leaderElectionRole()).isEmpty();
        assertThat(chart.deployment().getSpec().getReplicas()).isEqualTo(1);
        // Two pods side by side would both schedule.
        assertThat(chart.deployment().getSpec().getStrategy().getType()).isEqualTo("Recreate");
    }

    @Test
    void twoReplicasElectALeaderAmongTheChartsOwnPods() {
        RenderedChart chart = RenderedChart.render(example("two-replicas.yaml"));
        ControllerConfig config = chart.controllerConfig(scratch);
        Deployment deployment = chart.deployment();
        assertThat(deployment.getSpec().getReplicas()).isEqualTo(2);
        assertThat(config.leaderElection()).isTrue();
        assertThat(config.leaderElectionLeaseDuration()).hasSeconds(20);
        assertThat(config.leaderElectionPodSelector())
                .isEqualTo(deployment.getSpec().getSelector().getMatchLabels());
        assertThat(deployment.getSpec().getTemplate().getMetadata().getLabels())
                .containsAllEntriesOf(config.leaderElectionPodSelector());
        assertThat(chart.role().getRules()).noneMatch(r -> r.getResources().contains("leases"));
        assertThat(chart.leaderElectionRole()).singleElement().satisfies(role -> {
            assertThat(role.getMetadata().getNamespace()).isEqualTo(RenderedChart.NAMESPACE);
            // RBAC cannot pin create to a name; everything else is pinned to our Lease. Pods are listed to find the
            // replicas that may lead.
            assertThat(role.getRules())
                    .extracting(
                            r -> r.getApiGroups().get(0) + "/"
                                    + r.getResources().get(0),
                            PolicyRule::getVerbs,
                            PolicyRule::getResourceNames)
                    .containsExactlyInAnyOrder(
                            tuple("coordination.k8s.io/leases", List.of("create"), List.of()),
                            tuple(
                                    "coordination.k8s.io/leases",
                                    List.of("get", "update"),
                                    List.of(FULLNAME + "-leader")),
                            tuple("/pods", List.of("list"), List.of()));
        });
        assertThat(config.leaderElectionLeaseName()).isEqualTo(FULLNAME + "-leader");
        assertThat(config.leaderElectionNamespace()).isEqualTo(RenderedChart.NAMESPACE);
        EnvVar podName = env(chart.controller(), "POD_NAME");
        assertThat(podName.getValueFrom().getFieldRef().getFieldPath()).isEqualTo("metadata.name");
        // A new pod is Ready before an old one stops, so a standby is always there to take the Lease.
        assertThat(deployment.getSpec().getStrategy().getType()).isEqualTo("RollingUpdate");
        assertThat(deployment
                        .getSpec()
                        .getStrategy()
                        .getRollingUpdate()
                        .getMaxUnavailable()
                        .getIntVal())
                .isZero();
    }

    @Test
    void aDisruptionBudgetKeepsAStandbyThroughNodeDrainsOnlyWhenThereAreSeveralReplicas() {
        assertThat(RenderedChart.render(example("agent-stack-secret.yaml")).all(PodDisruptionBudget.class))
                .as("one replica: a budget would block every drain")
                .isEmpty();

        RenderedChart chart = RenderedChart.render(example("two-replicas.yaml"));
        PodDisruptionBudget budget = chart.one(PodDisruptionBudget.class);
        assertThat(budget.getSpec().getMaxUnavailable().getIntVal()).isEqualTo(1);
        assertThat(budget.getSpec().getSelector().getMatchLabels())
                .isEqualTo(chart.deployment().getSpec().getSelector().getMatchLabels());

        assertThat(RenderedChart.render(example("two-replicas.yaml"), t -> t.set("podDisruptionBudget.enabled", false))
                        .all(PodDisruptionBudget.class))
                .isEmpty();
    }

    @Test
    void leaderElectionCanBeTurnedOnForOneReplica() {
        RenderedChart chart =
                RenderedChart.render(example("agent-stack-secret.yaml"), t -> t.set("config.leader-election", true));
        assertThat(chart.controllerConfig(scratch).leaderElection()).isTrue();
        assertThat(chart.leaderElectionRole())
                .singleElement()
                .satisfies(r -> assertThat(r.getRules())
                        .anyMatch(rule -> rule.getResources().contains("leases")));
    }

    /** The Role names the Lease the controller derives from its id (lower case, other characters as '-'). */
    @ParameterizedTest
    @MethodSource("leaseNames")
    void theLeaseRuleNamesTheLeaseTheControllerUses(String key, String value) {
        RenderedChart chart = RenderedChart.render(example("two-replicas.yaml"), t -> t.set(key, value));
        String lease = chart.controllerConfig(scratch).leaderElectionLeaseName();
        assertThat(chart.leaderElectionRole())
                .singleElement()
                .satisfies(r -> assertThat(r.getRules())
                        .filteredOn(rule -> rule.getVerbs().contains("update"))
                        .singleElement()
                        .satisfies(rule -> assertThat(rule.getResourceNames()).containsExactly(lease)));
    }

    static Stream<Arguments> leaseNames() {
        return Stream.of(
                Arguments.of("config.id", "CI_Linux.arm64"),
                Arguments.of("config.leader-election-lease-name", "builds-lock"));
    }

    @Test
    void twoReplicasWithoutLeaderElectionAreRefused() {
        assertThatThrownBy(() ->
                        RenderedChart.render(example("two-replicas.yaml"), t -> t.set("config.leader-election", false)))
                .hasMessageContaining("replicas > 1 needs leader election");
    }

    /** The RBAC table of docs/security.md is what a platform team reviews before installing: the rendered Roles. */
    @Test
    void theDocumentedRbacTableIsTheRenderedRoles() throws Exception {
        RenderedChart chart = RenderedChart.render(example("two-replicas.yaml"));
        Set<String> rendered = new TreeSet<>();
        for (Role role : chart.all(Role.class)) {
            String where = role.equals(chart.role()) ? "jobs" : "release";
            for (PolicyRule rule : role.getRules()) {
                rendered.add(rbacRow(
                        String.join(",", rule.getApiGroups()),
                        String.join(",", rule.getResources()),
                        rule.getVerbs(),
                        !rule.getResourceNames().isEmpty(),
                        where));
            }
        }
        assertThat(documentedRbacTable()).isEqualTo(rendered);
    }

    /** The rows of docs/security.md's table under the header "| API group | resource | verbs | ...". */
    private static Set<String> documentedRbacTable() throws IOException {
        List<String> lines = Files.readAllLines(Path.of("docs/security.md"));
        int header = lines.indexOf("| API group | resource | verbs | only the object named | namespace |");
        assertThat(header).as("the RBAC table of docs/security.md").isNotNegative();
        Set<String> rows = new TreeSet<>();
        for (String line : lines.subList(header + 2, lines.size())) {
            if (!line.startsWith("|")) {
                break;
            }
            String[] cells = line.substring(1, line.length() - 1).split("\\|", -1);
            String group = cells[0].strip().replace("`", "");
            rows.add(rbacRow(
                    group.equals("core") ? "" : group,
                    cells[1].strip().replace("`", ""),
                    List.of(cells[2].strip().split(",\\s*")),
                    !cells[3].isBlank(),
                    cells[4].strip().split(",")[0]));
        }
        return rows;
    }

    private static String rbacRow(String group, String resource, List<String> verbs, boolean named, String where) {
        return group + "/" + resource + " " + new TreeSet<>(verbs) + (named ? " named" : "") + " in " + where;
    }

    // ---- where Jobs run

    /** Jobs, their Role, the agent token and the job account in one namespace; the controller and GraphQL token not. */
    @Test
    void aJobsNamespaceHoldsWhatJobPodsNeedAndNothingOfTheController() {
        RenderedChart chart = RenderedChart.render(example("jobs-namespace.yaml"));
        String jobs = "buildkite-jobs";
        assertThat(chart.controllerConfig(scratch).namespace()).isEqualTo(jobs);
        assertThat(chart.role().getMetadata().getNamespace()).isEqualTo(jobs);
        assertThat(chart.named("RoleBinding", FULLNAME).getMetadata().getNamespace())
                .isEqualTo(jobs);
        assertThat(chart.named("Secret", FULLNAME + "-agent-token")
                        .getMetadata()
                        .getNamespace())
                .isEqualTo(jobs);
        assertThat(chart.named("ServiceAccount", FULLNAME + "-job")
                        .getMetadata()
                        .getNamespace())
                .isEqualTo(jobs);

        assertThat(chart.deployment().getMetadata().getNamespace()).isEqualTo(RenderedChart.NAMESPACE);
        assertThat(chart.named("ServiceAccount", FULLNAME).getMetadata().getNamespace())
                .isEqualTo(RenderedChart.NAMESPACE);
        assertThat(chart.configMap(FULLNAME + "-config").getMetadata().getNamespace())
                .isEqualTo(RenderedChart.NAMESPACE);
        EnvVar token = env(chart.controller(), "BUILDKITE_TOKEN");
        assertThat(token.getValueFrom().getSecretKeyRef().getName()).isEqualTo("buildkite-graphql");
        assertThat(chart.all(Secret.class))
                .as("no GraphQL token in the jobs namespace")
                .singleElement()
                .satisfies(s -> assertThat(s.getData()).containsOnlyKeys("BUILDKITE_AGENT_TOKEN"));
    }

    /** Pod Security Admission enforces on the jobs namespace the level the controller checks job pods against. */
    @Test
    void theChartsJobsNamespaceEnforcesTheControllersPodSecurityLevel() {
        Namespace namespace =
                RenderedChart.render(example("jobs-namespace.yaml")).one(Namespace.class);
        assertThat(namespace.getMetadata().getName()).isEqualTo("buildkite-jobs");
        assertThat(namespace.getMetadata().getLabels()).containsEntry("pod-security.kubernetes.io/enforce", "baseline");

        assertThat(RenderedChart.render(example("jobs-namespace.yaml"), t -> t.set("jobsNamespaceCreate", false))
                        .all(Namespace.class))
                .as("a namespace someone else owns")
                .isEmpty();
        assertThatThrownBy(() -> RenderedChart.render(
                        example("agent-stack-secret.yaml"), t -> t.set("jobsNamespaceCreate", true)))
                .as("never the release namespace")
                .hasMessageContaining("/jobsNamespace");
    }

    /**
     * With the controller's pod-security-level option (and its per-queue override), the namespace enforces the most
     * permissive level any queue allows.
     */
    @Test
    void theJobsNamespaceEnforcesTheMostPermissiveLevelOfAnyQueue() {
        Path chart = RenderedChart.CHART;
        UnaryOperator<TemplateCommand> jobsNamespace = t -> t.withValuesFile(example("jobs-namespace.yaml"))
                .withName(RenderedChart.RELEASE)
                .withNamespace(RenderedChart.NAMESPACE)
                .withKubeVersion(RenderedChart.KUBE_VERSION)
                .set("config.pod-security-level", "restricted");

        assertThat(enforcedLevel(jobsNamespace.apply(new Helm(chart).template()).call()))
                .isEqualTo("restricted");
        assertThat(enforcedLevel(jobsNamespace
                        .apply(new Helm(chart).template())
                        .set("config.queues[0].tags[0]", "queue=linux")
                        .set("config.queues[1].tags[0]", "queue=docker-builds")
                        .set("config.queues[1].pod-security-level", "privileged")
                        .call()))
                .isEqualTo("privileged");
        assertThatThrownBy(() -> jobsNamespace
                        .apply(new Helm(chart).template())
                        .set("config.pod-security-level", "strict")
                        .call())
                .hasMessageContaining("pod-security-level must be privileged, baseline or restricted");
    }

    private static String enforcedLevel(String manifest) {
        Matcher label =
                Pattern.compile("pod-security.kubernetes.io/enforce: (\\S+)").matcher(manifest);
        assertThat(label.find()).as("the enforce label").isTrue();
        return label.group(1);
    }

    /** An account with no Role and no API token: a build step that reaches for the API finds nothing to use. */
    @Test
    void jobPodsGetAServiceAccountWithNoRoleAndNoToken() {
        RenderedChart chart = RenderedChart.render(example("agent-stack-secret.yaml"));
        ServiceAccount account = (ServiceAccount) chart.named("ServiceAccount", FULLNAME + "-job");
        assertThat(account.getMetadata().getNamespace()).isEqualTo(RenderedChart.NAMESPACE);
        assertThat(account.getAutomountServiceAccountToken()).isFalse();
        assertThat(chart.controllerConfig(scratch).jobServiceAccount())
                .as("job pods run as it")
                .isEqualTo(FULLNAME + "-job");
        assertThat(chart.all(RoleBinding.class))
                .flatMap(RoleBinding::getSubjects)
                .noneMatch(s -> s.getName().equals(account.getMetadata().getName()));

        assertThat(RenderedChart.render(
                                example("agent-stack-secret.yaml"), t -> t.set("jobServiceAccount.create", false))
                        .all(ServiceAccount.class))
                .extracting(a -> a.getMetadata().getName())
                .containsExactly(FULLNAME);
    }

    /** Jobs elsewhere, the Lease and the replicas' pods next to the controller, where the chart grants them. */
    @Test
    void leaderElectionWithAJobsNamespaceKeepsTheLeaseInTheReleaseNamespace() {
        RenderedChart chart = RenderedChart.render(example("jobs-namespace.yaml"), t -> t.set("replicas", 2));
        ControllerConfig config = chart.controllerConfig(scratch);
        assertThat(config.leaderElection()).isTrue();
        assertThat(config.namespace()).isEqualTo("buildkite-jobs");
        assertThat(config.leaderElectionNamespace()).isEqualTo(RenderedChart.NAMESPACE);
        assertThat(chart.leaderElectionRole()).singleElement().satisfies(role -> {
            assertThat(role.getMetadata().getNamespace()).isEqualTo(RenderedChart.NAMESPACE);
            assertThat(role.getRules())
                    .anyMatch(r -> r.getResources().equals(List.of("leases")))
                    .anyMatch(r -> r.getResources().equals(List.of("pods"))
                            && r.getVerbs().equals(List.of("list")));
        });
        assertThat(chart.named("RoleBinding", FULLNAME + "-leader-election")
                        .getMetadata()
                        .getNamespace())
                .isEqualTo(RenderedChart.NAMESPACE);
    }

    /**
     * agentStackSecret must be in the jobs namespace, so it cannot also be where the GraphQL token comes from: the
     * controller gets neither variable and reads the agent token from the Secret itself, for the Stacks API.
     */
    @Test
    void aJobsNamespaceKeepsAgentStackSecretsTokensOutOfTheControllersEnvironment() {
        RenderedChart chart =
                RenderedChart.render(example("agent-stack-secret.yaml"), t -> t.set("jobsNamespace", "buildkite-jobs"));
        assertThat(chart.controller().getEnv())
                .extracting(EnvVar::getName)
                .doesNotContain("BUILDKITE_TOKEN", "BUILDKITE_AGENT_TOKEN");
        assertThat(chart.controllerConfig(scratch, Map.of(), false).agentTokenSecret())
                .isEqualTo("buildkite-agent-stack");
        assertThat(chart.role().getRules())
                .filteredOn(r -> r.getResources().contains("secrets"))
                .singleElement()
                .satisfies(r -> assertThat(r.getResourceNames()).containsExactly("buildkite-agent-stack"));
    }

    // ---- user routes

    @Test
    void routesBecomeAConfigMapInRoutesDir() throws Exception {
        RenderedChart chart = RenderedChart.render(example("custom-routes.yaml"));
        ConfigMap routes = chart.configMap(FULLNAME + "-routes");
        Map<String, String> values = YAML.convertValue(
                YAML.readTree(example("custom-routes.yaml").toFile()).get("routes"),
                new TypeReference<Map<String, String>>() {});
        assertThat(routes.getData()).isEqualTo(values);

        ControllerConfig config = chart.controllerConfig(scratch);
        assertThat(config.routesDir()).isEqualTo(mountPathOf(chart, FULLNAME + "-routes"));
        assertThat(chart.deployment().getSpec().getTemplate().getMetadata().getAnnotations())
                .containsKey("checksum/routes");

        // The files as the pod sees them, loaded by the real controller.
        Path dir = Files.createDirectories(scratch.resolve("routes"));
        for (Map.Entry<String, String> file : routes.getData().entrySet()) {
            Files.writeString(dir.resolve(file.getKey()), file.getValue());
        }
        try (ControllerHarness controller = new ControllerHarness(b -> b.set(Options.ROUTES_DIR, dir.toString()))) {
            controller.start();
            assertThat(controller.controller().camelContext().getRoute("log-in-flight"))
                    .isNotNull();
            assertThat(controller.controller().camelContext().getRoute("schedule-jobs-kubernetes"))
                    .isNotNull();
        }
    }

    @Test
    void withoutRoutesNoRoutesFolder() {
        RenderedChart chart = RenderedChart.render(example("agent-stack-secret.yaml"));
        assertThat(chart.controllerConfig(scratch).routesDir()).isEmpty();
        assertThat(chart.deployment().getSpec().getTemplate().getSpec().getVolumes())
                .extracting(Volume::getName)
                .containsExactlyInAnyOrder("config", "tmp");
    }

    // ---- metrics and monitoring

    @Test
    void theMetricsServiceAndPodMonitorReachTheManagementPort() {
        RenderedChart chart = RenderedChart.render(example("monitoring.yaml"));
        Map<String, String> selector =
                chart.deployment().getSpec().getSelector().getMatchLabels();

        Service service = chart.one(Service.class);
        assertThat(service.getSpec().getSelector()).isEqualTo(selector);
        assertThat(service.getSpec().getPorts())
                .singleElement()
                .satisfies(p -> assertThat(p.getTargetPort().getStrVal()).isEqualTo("management"));

        // fabric8 ships the Prometheus Operator's model (in its OpenShift packages).
        PodMonitor podMonitor = chart.one(PodMonitor.class);
        assertThat(podMonitor.getMetadata().getNamespace()).isEqualTo("monitoring");
        assertThat(podMonitor.getMetadata().getLabels()).containsEntry("release", "kube-prometheus-stack");
        assertThat(podMonitor.getSpec().getSelector().getMatchLabels()).isEqualTo(selector);
        assertThat(podMonitor.getSpec().getNamespaceSelector().getMatchNames())
                .containsExactly(RenderedChart.NAMESPACE);
        assertThat(podMonitor.getSpec().getPodMetricsEndpoints())
                .singleElement()
                .satisfies(endpoint -> {
                    assertThat(endpoint.getPort()).isEqualTo("management");
                    assertThat(endpoint.getPath()).isEqualTo("/observe/metrics");
                    assertThat(endpoint.getInterval()).isEqualTo("30s");
                });
    }

    /**
     * helm test asks the controller's full readiness through its Service, from a pod that the Service, the disruption
     * budget and leader election do not count as one of the controller's.
     */
    @Test
    void helmTestAsksForReadinessThroughTheService() throws IOException {
        // helm-java's template leaves hooks out, as helm install does; a copy with the hook key renamed renders it.
        Path chartCopy = copyOfChart();
        Path testTemplate = chartCopy.resolve("templates/tests/ready.yaml");
        Files.writeString(testTemplate, Files.readString(testTemplate).replace("helm.sh/hook:", "unhooked/hook:"));
        RenderedChart chart = RenderedChart.render(
                chartCopy,
                example("agent-stack-secret.yaml"),
                t -> t.set("tests.image.repository", "registry.example/busybox").set("tests.attempts", 5));
        Pod test = chart.one(Pod.class);
        assertThat(test.getMetadata().getAnnotations()).containsEntry("unhooked/hook", "test");
        Service service = chart.one(Service.class);
        assertThat(test.getMetadata()
                        .getLabels()
                        .entrySet()
                        .containsAll(service.getSpec().getSelector().entrySet()))
                .as("the Service (and so leader election and the disruption budget) selects the test pod")
                .isFalse();

        PodSpec pod = test.getSpec();
        assertThat(pod.getAutomountServiceAccountToken()).isFalse();
        assertThat(pod.getRestartPolicy()).isEqualTo("Never");
        Container container = pod.getContainers().get(0);
        assertThat(pod.getContainers()).hasSize(1);
        assertRestricted(pod, container);
        assertThat(container.getImage()).isEqualTo("registry.example/busybox:1.37");
        assertThat(String.join(" ", container.getCommand()))
                .contains("service=\"" + service.getMetadata().getName() + ":8080\"")
                .contains("url=\"http://$service/observe/health/ready\"")
                .contains("$(seq 5)");
    }

    @Test
    void monitoringIsOffByDefault() {
        RenderedChart chart = RenderedChart.render(example("agent-stack-secret.yaml"));
        assertThat(chart.all(PodMonitor.class)).isEmpty();
        assertThat(chart.all(ConfigMap.class))
                .extracting(c -> c.getMetadata().getName())
                .containsExactly(FULLNAME + "-config");
    }

    /**
     * Every metric a panel queries is one the controller publishes (docs/operations.md's list, which its tests check):
     * ours, or the JVM's that it lists.
     */
    @Test
    void theDashboardChartsOurMetrics() throws Exception {
        RenderedChart chart = RenderedChart.render(example("monitoring.yaml"));
        ConfigMap dashboard = chart.configMap(FULLNAME + "-dashboard");
        assertThat(dashboard.getMetadata().getNamespace()).isEqualTo("monitoring");
        assertThat(dashboard.getMetadata().getLabels()).containsEntry("grafana_dashboard", "1");
        JsonNode json = new ObjectMapper().readTree(dashboard.getData().get("agent-stack-camel.json"));

        Set<String> queried = new TreeSet<>();
        Pattern metric = Pattern.compile("\\b((?:buildkite|jvm|process)_[a-z_]+?)(_bucket|_count|_sum)?\\{");
        for (JsonNode panel : json.get("panels")) {
            if (panel.get("type").asText().equals("row")) {
                continue;
            }
            assertThat(panel.get("targets")).as(panel.get("title").asText()).isNotEmpty();
            for (JsonNode target : panel.get("targets")) {
                Matcher m = metric.matcher(target.get("expr").asText());
                assertThat(m.find())
                        .as("a metric of ours in " + target.get("expr"))
                        .isTrue();
                do {
                    queried.add(m.group(1));
                } while (m.find());
            }
        }
        Set<String> published = new TreeSet<>();
        Matcher row = Pattern.compile("(?m)^\\| `((?:buildkite|jvm|process)_[a-z_]+)")
                .matcher(Files.readString(Path.of("docs/operations.md")));
        while (row.find()) {
            published.add(row.group(1));
        }
        assertThat(published).as("the metric tables of docs/operations.md").isNotEmpty();
        assertThat(queried)
                .isSubsetOf(published)
                .contains(
                        "buildkite_limiter_in_flight",
                        "buildkite_scheduler_job_creations_total",
                        "buildkite_leader",
                        "jvm_memory_used_bytes",
                        "jvm_gc_pause_seconds");
    }

    // ---- values the chart refuses or derives

    @ParameterizedTest
    @MethodSource("refusedConfig")
    void theSchemaRefusesConfigTheControllerWouldRefuse(String key, Object value) {
        assertThatThrownBy(() -> RenderedChart.render(example("agent-stack-secret.yaml"), t -> t.set(key, value)))
                .hasMessageContaining("values don't meet the specifications of the schema")
                .hasMessageContaining(key.substring(key.lastIndexOf('.') + 1));
    }

    static Stream<Arguments> refusedConfig() {
        return Stream.of(
                Arguments.of("config.no-such-option", "x"),
                Arguments.of("config.workspaceVolume", "x"),
                Arguments.of("config.namespace", "elsewhere"),
                Arguments.of("config.buildkite-token", "secret"),
                Arguments.of("config.poll-interval", 5),
                Arguments.of("config.poll-interval", "5 seconds"),
                Arguments.of("config.max-in-flight", "many"),
                Arguments.of("config.debug", "yes please"),
                Arguments.of("config.log-format", "JSON"),
                Arguments.of("config.log-level", "verbose"),
                Arguments.of("config.queues", List.of(Map.of("max-in-flight", 3))),
                Arguments.of("config.queues", List.of(Map.of("tags", List.of("queue=a"), "max-inflight", 3))),
                Arguments.of("image", ""),
                Arguments.of("replicas", 0));
    }

    /** agent-stack-k8s' values give the image as one string: taken as it is, unless it is the original's controller. */
    @Test
    void anImageGivenAsOneStringIsUsedAsItIs() throws Exception {
        assertThat(RenderedChart.render(example("tokens.yaml"), t -> t.set("image", "registry.internal/asc:1.2"))
                        .controller()
                        .getImage())
                .isEqualTo("registry.internal/asc:1.2");
        String ours = RenderedChart.render(example("tokens.yaml")).controller().getImage();
        assertThat(RenderedChart.render(
                                example("tokens.yaml"),
                                t -> t.set("image", "public.ecr.aws/buildkite/agent-stack-k8s/controller:0.46.0"))
                        .controller()
                        .getImage())
                .isEqualTo(ours)
                .startsWith(
                        YAML.readTree(RenderedChart.CHART.resolve("values.yaml").toFile())
                                        .at("/image/repository")
                                        .asText()
                                + ":");
    }

    @Test
    void theImageDefaultsToTheAppVersionAndCanBePinnedByDigest() throws Exception {
        String appVersion = YAML.readTree(
                        RenderedChart.CHART.resolve("Chart.yaml").toFile())
                .get("appVersion")
                .asText();
        assertThat(RenderedChart.render(example("tokens.yaml")).controller().getImage())
                .isEqualTo("ghcr.io/agent-stack-camel/agent-stack-camel:" + appVersion);
        String digest = "sha256:" + "a".repeat(64);
        assertThat(RenderedChart.render(example("tokens.yaml"), t -> t.set("image.digest", digest))
                        .controller()
                        .getImage())
                .isEqualTo("ghcr.io/agent-stack-camel/agent-stack-camel@" + digest);
    }

    /** The chart and the controller are released together. */
    @Test
    void theChartVersionIsTheProjectVersion() throws Exception {
        JsonNode chart = YAML.readTree(RenderedChart.CHART.resolve("Chart.yaml").toFile());
        assertThat(Version.get()).isNotEqualTo("dev");
        assertThat(chart.get("appVersion").asText()).isEqualTo(Version.get());
        assertThat(chart.get("version").asText()).isEqualTo(Version.get());
        assertThat(chart.get("kubeVersion").asText()).isEqualTo(">=1.29.0-0");
        // Artifact Hub and helm show chart link to these.
        assertThat(chart.get("home").asText()).startsWith("https://");
        assertThat(chart.get("sources")).isNotEmpty();
        assertThat(chart.get("icon").asText()).startsWith("https://").endsWith("/docs/icon.svg");
        assertThat(Path.of("docs/icon.svg")).exists();
    }

    @Test
    void theIdAndTheManagementPortFollowTheConfig() {
        RenderedChart chart = RenderedChart.render(
                example("agent-stack-secret.yaml"),
                t -> t.set("config.id", "ci-linux").set("config.management-port", 9090));
        assertThat(chart.controllerConfig(scratch).id()).isEqualTo("ci-linux");
        assertThat(chart.controller().getPorts().get(0).getContainerPort()).isEqualTo(9090);
        assertThatThrownBy(() -> RenderedChart.render(
                        example("agent-stack-secret.yaml"), t -> t.set("config.management-port", 0)))
                .hasMessageContaining("config.management-port");
    }

    @Test
    void aConfigChangeRollsThePods() {
        String before = RenderedChart.render(example("agent-stack-secret.yaml"))
                .deployment()
                .getSpec()
                .getTemplate()
                .getMetadata()
                .getAnnotations()
                .get("checksum/config");
        String after = RenderedChart.render(example("agent-stack-secret.yaml"), t -> t.set("config.max-in-flight", 3))
                .deployment()
                .getSpec()
                .getTemplate()
                .getMetadata()
                .getAnnotations()
                .get("checksum/config");
        assertThat(before).hasSize(64);
        assertThat(after).hasSize(64).isNotEqualTo(before);
    }

    // ---- helpers

    /** What the restricted Pod Security Standard asks of a pod and its container. */
    private static void assertRestricted(PodSpec pod, Container container) {
        assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
        assertThat(pod.getHostNetwork()).isNull();
        SecurityContext context = container.getSecurityContext();
        assertThat(context.getAllowPrivilegeEscalation()).isFalse();
        assertThat(context.getReadOnlyRootFilesystem()).isTrue();
        assertThat(context.getRunAsNonRoot()).isTrue();
        assertThat(context.getCapabilities().getDrop()).containsExactly("ALL");
        assertThat(context.getCapabilities().getAdd()).isEmpty();
    }

    /** The namespace a values file has Jobs run in: jobsNamespace, else the release namespace. */
    private static String jobsNamespaceOf(Path values) throws IOException {
        String jobs = YAML.readTree(values.toFile()).path("jobsNamespace").asText("");
        return jobs.isEmpty() ? RenderedChart.NAMESPACE : jobs;
    }

    private static EnvVar env(Container container, String name) {
        return container.getEnv().stream()
                .filter(e -> e.getName().equals(name))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no env " + name));
    }

    /** Where the volume from this ConfigMap is mounted in the controller container. */
    private static String mountPathOf(RenderedChart chart, String configMap) {
        return mountPathOf(chart, configMap, null);
    }

    private static String mountPathOf(RenderedChart chart, String configMap, String volumeName) {
        PodSpec pod = chart.deployment().getSpec().getTemplate().getSpec();
        Volume volume = pod.getVolumes().stream()
                .filter(v -> volumeName != null
                        ? v.getName().equals(volumeName)
                        : v.getConfigMap() != null && v.getConfigMap().getName().equals(configMap))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no volume of " + (configMap != null ? configMap : volumeName)));
        return chart.controller().getVolumeMounts().stream()
                .filter(m -> m.getName().equals(volume.getName()))
                .map(VolumeMount::getMountPath)
                .findFirst()
                .orElseThrow();
    }
}
