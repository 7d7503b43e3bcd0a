package dev.agentstack.kubernetes.watch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentstack.sandbox.EmbeddedKubernetes;
import io.fabric8.kubernetes.api.model.ListMetaBuilder;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobListBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The reconcile's list of our Jobs: paged as a real API server pages, trimmed, and restarted when a page expires. */
class OurJobsTest {

    private static final Map<String, String> OURS = Map.of("buildkite.com/controller-id", "c1");
    private static final String JOBS = "/apis/batch/v1/namespaces/ci/jobs?";
    private static final String SELECTOR = "labelSelector=buildkite.com%2Fcontroller-id%3Dc1";
    private static final String LIST = JOBS + SELECTOR;
    private static final String FIRST_PAGE = LIST + "&limit=500";
    private static final String SECOND_PAGE = JOBS + "continue=token-1&" + SELECTOR + "&limit=500";

    private KubernetesMockServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.destroy();
        }
    }

    @Test
    void listsOnlyOurJobsWithoutTheirPodTemplates() {
        try (EmbeddedKubernetes kubernetes = new EmbeddedKubernetes()) {
            kubernetes.client().resource(job("ours-1", OURS)).inNamespace("ci").create();
            kubernetes.client().resource(job("ours-2", OURS)).inNamespace("ci").create();
            kubernetes
                    .client()
                    .resource(job("other", Map.of("buildkite.com/controller-id", "c2")))
                    .inNamespace("ci")
                    .create();

            List<Job> listed = new OurJobs(kubernetes.client(), "ci", OURS).list();

            assertThat(listed).extracting(j -> j.getMetadata().getName()).containsExactlyInAnyOrder("ours-1", "ours-2");
            assertThat(listed).allSatisfy(j -> {
                assertThat(j.getMetadata().getLabels()).containsAllEntriesOf(OURS);
                assertThat(j.getStatus().getActive()).isEqualTo(1);
                assertThat(j.getSpec()).isNull();
            });
        }
    }

    @Test
    void readsEveryPageTheApiServerHandsOut() throws Exception {
        server = new KubernetesMockServer(false);
        server.init();
        server.expect()
                .get()
                .withPath(FIRST_PAGE)
                .andReturn(200, page("rv1", "token-1", "ours-1", "ours-2"))
                .once();
        server.expect()
                .get()
                .withPath(SECOND_PAGE)
                .andReturn(200, page("rv1", null, "ours-3"))
                .once();

        List<Job> listed = new OurJobs(server.createClient(), "ci", OURS).list();

        assertThat(listed).extracting(j -> j.getMetadata().getName()).containsExactly("ours-1", "ours-2", "ours-3");
        assertThat(requests()).containsExactly(FIRST_PAGE, SECOND_PAGE);
    }

    @Test
    void startsAgainUnpagedWhenTheContinueTokenHasExpired() throws Exception {
        server = new KubernetesMockServer(false);
        server.init();
        server.expect()
                .get()
                .withPath(FIRST_PAGE)
                .andReturn(200, page("rv1", "token-1", "ours-1"))
                .once();
        server.expect()
                .get()
                .withPath(SECOND_PAGE)
                .andReturn(
                        410,
                        new StatusBuilder()
                                .withCode(410)
                                .withReason("Expired")
                                .withMessage("The provided continue parameter is too old")
                                .build())
                .once();
        server.expect()
                .get()
                .withPath(LIST)
                .andReturn(200, page("rv2", null, "ours-1", "ours-2", "ours-3"))
                .once();

        List<Job> listed = new OurJobs(server.createClient(), "ci", OURS).list();

        assertThat(listed).extracting(j -> j.getMetadata().getName()).containsExactly("ours-1", "ours-2", "ours-3");
    }

    private List<String> requests() throws InterruptedException {
        List<String> paths = new ArrayList<>();
        RecordedRequest r;
        while ((r = server.takeRequest(0, java.util.concurrent.TimeUnit.SECONDS)) != null) {
            paths.add(r.getPath());
        }
        return paths;
    }

    private static io.fabric8.kubernetes.api.model.batch.v1.JobList page(
            String resourceVersion, String continueToken, String... names) {
        JobListBuilder list = new JobListBuilder()
                .withMetadata(new ListMetaBuilder()
                        .withResourceVersion(resourceVersion)
                        .withContinue(continueToken)
                        .build());
        for (String name : names) {
            list.addToItems(job(name, OURS));
        }
        return list.build();
    }

    private static Job job(String name, Map<String, String> labels) {
        return new JobBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace("ci")
                .withLabels(labels)
                .endMetadata()
                .withNewSpec()
                .withNewTemplate()
                .withNewSpec()
                .addNewContainer()
                .withName("agent")
                .withImage("agent:3")
                .endContainer()
                .withRestartPolicy("Never")
                .endSpec()
                .endTemplate()
                .endSpec()
                .withNewStatus()
                .withActive(1)
                .endStatus()
                .build();
    }
}
