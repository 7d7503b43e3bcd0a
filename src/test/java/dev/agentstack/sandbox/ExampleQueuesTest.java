package dev.agentstack.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentstack.buildkite.BuildkiteJob;
import dev.agentstack.config.ConfigException;
import dev.agentstack.config.ControllerConfig;
import dev.agentstack.config.Options;
import dev.agentstack.config.QueueConfig;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How the demo gives each example its examples/configs file: a queue of its own in the one controller. */
class ExampleQueuesTest {

    private static final ExampleQueues EXAMPLES = new ExampleQueues(
            Map.of("locked", ExampleQueues.parse("locked.yaml", "prohibit-kubernetes-plugin: true\n")));

    private static BuildkiteJob job(String... tags) {
        return new BuildkiteJob("id", "uuid", "true", List.of(tags), 0, null, List.of());
    }

    @Test
    void anExampleConfigBecomesAQueueWithTheDefaultQueuesOtherTags() {
        ControllerConfig base = ControllerConfig.builder()
                .set(Options.TAGS, List.of("queue=kubernetes", "os=linux"))
                .build();
        ControllerConfig demo = base.toBuilder()
                .setFromYaml(Options.QUEUES, EXAMPLES.queues(base))
                .build();
        assertThat(demo.queues())
                .extracting(QueueConfig::tags)
                .containsExactly(List.of("queue=kubernetes", "os=linux"), List.of("queue=locked", "os=linux"));
        assertThat(demo.forQueue(demo.queues().get(1)).prohibitKubernetesPlugin())
                .isTrue();
        assertThat(demo.forQueue(demo.queues().get(0)).prohibitKubernetesPlugin())
                .isFalse();
    }

    @Test
    void onlyThatExamplesJobsForTheDefaultQueueMove() {
        ControllerConfig base = ControllerConfig.builder().build();
        ControllerConfig demo = base.toBuilder()
                .setFromYaml(Options.QUEUES, EXAMPLES.queues(base))
                .build();
        assertThat(EXAMPLES.retag("locked", job("queue=kubernetes"), demo).agentQueryRules())
                .containsExactly("queue=locked");
        assertThat(EXAMPLES.retag("locked", job("queue=macos"), demo).agentQueryRules())
                .containsExactly("queue=macos");
        assertThat(EXAMPLES.retag("hello-world", job("queue=kubernetes"), demo).agentQueryRules())
                .containsExactly("queue=kubernetes");
    }

    @Test
    void anOptionNoQueueCanHaveIsRefusedByName() {
        assertThatThrownBy(() -> ExampleQueues.parse("x.yaml", "poll-interval: 5s\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("examples/configs/x.yaml: poll-interval cannot be set for one queue");
    }

    @Test
    void theShippedExampleConfigsAllApply() {
        ExampleQueues shipped = ExampleQueues.load();
        assertThat(shipped.names()).contains("prohibited-plugin", "controller-default-resources");
        ControllerConfig base = ControllerConfig.builder().build();
        assertThat(base.toBuilder()
                        .setFromYaml(Options.QUEUES, shipped.queues(base))
                        .build()
                        .queues())
                .hasSize(3);
    }
}
