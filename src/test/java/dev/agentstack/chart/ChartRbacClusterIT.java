package dev.agentstack.chart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.agentstack.config.Options;
import dev.agentstack.testing.ControllerHarness;
import dev.agentstack.testing.KwokAgents;
import dev.agentstack.testing.LocalCluster;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The chart's ServiceAccount, Role and RoleBinding, as Helm renders them, enforced by a real API server's RBAC: the
 * controller schedules with nothing more, and the same token is refused what the Role does not grant.
 */
@ExtendWith(LocalCluster.class)
class ChartRbacClusterIT {

    private static final Duration WAIT = Duration.ofMinutes(3);
    /** The README's GraphQL install: an org and the two tokens. */
    private static final Path VALUES = Path.of("examples/values/tokens.yaml");

    @Test
    void theControllerSchedulesWithTheChartsRoleAndIsRefusedWhatItDoesNotGrant() {
        String secretName = agentTokenSecret();
        try (ControllerHarness h = ControllerHarness.onCluster(
                LocalCluster::newClient,
                "rbac",
                b -> b.set(Options.POLL_INTERVAL, Duration.ofSeconds(1))
                        .set(Options.JOB_TTL, Duration.ofSeconds(2))
                        .set(Options.IMAGE_PULL_BACKOFF_GRACE_PERIOD, Duration.ofSeconds(1))
                        .set(Options.AGENT_TOKEN_SECRET, secretName))) {
            RenderedChart chart = RenderedChart.render(VALUES, t -> t.withNamespace(h.namespace()));
            // The Deployment's account: the chart also renders the job pods' own, which no Role is bound to.
            ServiceAccount account = (ServiceAccount) chart.named(
                    "ServiceAccount",
                    chart.deployment().getSpec().getTemplate().getSpec().getServiceAccountName());
            for (HasMetadata o : List.of(account, chart.role(), chart.one(RoleBinding.class))) {
                h.client().resource(o).inNamespace(h.namespace()).create();
            }
            String token = h.client()
                    .serviceAccounts()
                    .inNamespace(h.namespace())
                    .withName(account.getMetadata().getName())
                    .tokenRequest(new TokenRequestBuilder()
                            .withNewSpec()
                            .withExpirationSeconds(3600L)
                            .endSpec()
                            .build())
                    .getStatus()
                    .getToken();

            try (KubernetesClient asController = LocalCluster.newClientWithToken(token)) {
                assertThatThrownBy(() -> asController
                                .secrets()
                                .inNamespace(h.namespace())
                                .list())
                        .isInstanceOfSatisfying(
                                KubernetesClientException.class,
                                e -> assertThat(e.getCode()).isEqualTo(403));
                assertThatThrownBy(() -> asController
                                .batch()
                                .v1()
                                .jobs()
                                .inNamespace("default")
                                .list())
                        .isInstanceOfSatisfying(
                                KubernetesClientException.class,
                                e -> assertThat(e.getCode()).isEqualTo(403));
                assertThat(asController
                                .secrets()
                                .inNamespace(h.namespace())
                                .withName(secretName)
                                .get())
                        .as("the one Secret the Role names")
                        .isNotNull();
            }

            String uuid = h.buildkite().scheduleCommand("make test", "queue=kubernetes");
            // A job that cannot run takes the failure path too: the pod's events, the agent token, deleting the Job.
            String unpullable = h.schedulePipeline("""
                    steps:
                      - command: make test
                        agents: {queue: kubernetes}
                        plugins:
                          - kubernetes: {podSpec: {containers: [{image: registry.example.com/does-not-exist:1.0}]}}
                    """).get(0);
            try (KwokAgents agents = new KwokAgents(h)) {
                h.withControllerClient(() -> LocalCluster.newClientWithToken(token))
                        .start();
                await().atMost(WAIT).until(() -> "FINISHED".equals(h.buildkite().state(uuid)));
                assertThat(h.buildkite().snapshot(uuid).exitStatus()).isEqualTo("0");
                await().atMost(WAIT).until(() -> "FINISHED".equals(h.buildkite().state(unpullable)));
                assertThat(h.buildkite().snapshot(unpullable).log()).contains("Error: ImagePullBackOff");
                await().atMost(WAIT).until(() -> h.jobs().isEmpty());
            }
        }
    }

    /** The Secret name the chart's Role grants, which the rendered configuration hands the controller. */
    private static String agentTokenSecret() {
        Role role = RenderedChart.render(VALUES).role();
        return role.getRules().stream()
                .filter(r -> r.getResources().contains("secrets"))
                .flatMap(r -> r.getResourceNames().stream())
                .findFirst()
                .orElseThrow();
    }
}
