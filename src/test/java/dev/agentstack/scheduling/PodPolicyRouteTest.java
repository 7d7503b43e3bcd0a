package dev.agentstack.scheduling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.agentstack.pipeline.PipelineContext;
import dev.agentstack.pipeline.PipelineJob;
import dev.agentstack.pipeline.PipelineReader;
import dev.agentstack.sandbox.FakeBuildkite;
import dev.agentstack.testing.ControllerHarness;
import dev.agentstack.testing.HostilePipelines;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The running controller refuses every step of the hostile-pipelines table: each job is failed in Buildkite exactly
 * once, with the rule and field path in its log, and no Kubernetes Job is ever posted for it. Entries that share their
 * options share one controller.
 */
class PodPolicyRouteTest {

    static Stream<List<HostilePipelines>> byOptions() {
        Map<Map<String, Object>, List<HostilePipelines>> groups = new LinkedHashMap<>();
        for (HostilePipelines h : HostilePipelines.all()) {
            groups.computeIfAbsent(h.options(), o -> new ArrayList<>()).add(h);
        }
        return groups.values().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("byOptions")
    void everyHostileStepIsFailedOnceWithItsRuleAndNeverPosted(List<HostilePipelines> group) {
        try (ControllerHarness h = new ControllerHarness(group.get(0)::apply)) {
            Map<HostilePipelines, String> uuids = new LinkedHashMap<>();
            for (HostilePipelines hostile : group) {
                uuids.put(hostile, schedule(h.buildkite(), hostile));
            }
            String fine = h.buildkite().scheduleCommand("echo fine", "queue=kubernetes");
            h.start();

            await().atMost(ControllerHarness.WAIT)
                    .until(() -> h.job(fine) != null
                            && uuids.values().stream()
                                    .allMatch(
                                            u -> "FINISHED".equals(h.buildkite().state(u))));
            int polls = h.graphqlPolls();
            await().atMost(ControllerHarness.WAIT).until(() -> h.graphqlPolls() >= polls + 2);

            uuids.forEach((hostile, uuid) -> {
                var failed = h.buildkite().snapshot(uuid);
                assertThat(failed.signalReason()).as(hostile.name()).isEqualTo("stack_error");
                assertThat(failed.log()).as(hostile.name()).contains(hostile.rule() + ": ", hostile.path());
                assertThat(h.buildkite().agentCalls().stream()
                                .filter(c -> c.call().equals("finish") && uuid.equals(c.jobUuid())))
                        .as(hostile.name() + " failed exactly once")
                        .hasSize(1);
                assertThat(h.job(uuid)).as(hostile.name() + " never posted").isNull();
            });
            assertThat(h.jobs()).as("only the fine job was posted").hasSize(1);
        }
    }

    /** Adds the entry's one job to Buildkite, as the pipeline upload would; returns its uuid. */
    private static String schedule(FakeBuildkite buildkite, HostilePipelines hostile) {
        List<PipelineJob> jobs = new PipelineReader(
                        PipelineContext.local(ControllerHarness.ORG, hostile.name()),
                        () -> UUID.randomUUID().toString())
                .readEach(hostile.pipelineYaml());
        assertThat(jobs).as(hostile.name()).hasSize(1);
        assertThat(jobs.get(0).problem()).as(hostile.name()).isNull();
        buildkite.addJob(jobs.get(0).job(), hostile.name(), null);
        return jobs.get(0).job().uuid();
    }
}
