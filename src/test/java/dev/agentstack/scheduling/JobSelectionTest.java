package dev.agentstack.scheduling;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentstack.buildkite.BuildkiteJob;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which polled jobs are ours: every job tag must be one of the controller's, except resource_class. */
class JobSelectionTest {

    private final SimpleMeterRegistry metrics = new SimpleMeterRegistry();
    private final JobSelection selection = new JobSelection(List.of("queue=kubernetes", "os=linux"), metrics);

    private static BuildkiteJob job(String... tags) {
        return new BuildkiteJob(
                null, "0198c0de-1111-4222-8333-444455556666", "make", List.of(tags), 0, null, List.of());
    }

    @Test
    void aJobIsOursWhenEachOfItsTagsIsOneOfOursOrAWildcard() {
        assertThat(selection.isOurs(job("queue=kubernetes"))).isTrue();
        assertThat(selection.isOurs(job("queue=kubernetes", "os=*"))).isTrue();
        assertThat(selection.isOurs(job("queue=kubernetes", "os=windows"))).isFalse();
        assertThat(selection.isOurs(job("queue=kubernetes", "arch=arm64"))).isFalse();
        assertThat(selection.isOurs(job("os=linux"))).isFalse();
        assertThat(metrics.counter("buildkite.monitor.jobs.filtered.out", "reason", "tags_mismatch")
                        .count())
                .isEqualTo(2);
        assertThat(metrics.counter("buildkite.monitor.jobs.filtered.out", "reason", "missing_queue_tag")
                        .count())
                .isEqualTo(1);
    }

    @Test
    void aResourceClassTagPicksResourcesNotAController() {
        assertThat(selection.isOurs(job("queue=kubernetes", "resource_class=gpu")))
                .isTrue();
        assertThat(selection.isOurs(job("queue=other", "resource_class=gpu"))).isFalse();
    }
}
