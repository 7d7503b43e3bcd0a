package dev.agentstack.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every Job that render prints for the examples would be accepted by a Kubernetes API server: these are the API
 * server's own rules (apimachinery validation), written out independently of the builder's checks.
 */
class RenderedJobsAreValidTest {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
    private static final Pattern QUALIFIED_NAME_PART = Pattern.compile("([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]");
    private static final Pattern DNS_SUBDOMAIN = Pattern.compile(
            "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
    private static final Set<String> PULL_POLICIES = Set.of("Always", "IfNotPresent", "Never");

    static Stream<Path> pipelines() {
        return ExampleRenders.pipelines().stream();
    }

    @ParameterizedTest
    @MethodSource("pipelines")
    void everyRenderedJobIsValid(Path pipeline) throws Exception {
        List<Job> jobs = new ArrayList<>();
        for (String doc : ExampleRenders.render(pipeline).stdout().split("(?m)^---\n")) {
            if (!doc.isBlank()) {
                jobs.add(YAML.readValue(doc, Job.class));
            }
        }
        assertThat(jobs).as("jobs rendered from " + pipeline).isNotEmpty();
        for (Job job : jobs) {
            String name = job.getMetadata().getName();
            assertThat(name.length()).as("Job name length (the job-name label value)").isLessThanOrEqualTo(63);
            assertThat(DNS_SUBDOMAIN.matcher(name).matches()).as("Job name " + name).isTrue();
            assertLabels(job.getMetadata().getLabels());
            assertLabels(job.getSpec().getTemplate().getMetadata().getLabels());
            job.getMetadata().getAnnotations().keySet().forEach(k -> assertQualifiedName(k, "annotation key"));
            assertPod(job.getSpec().getTemplate().getSpec());
        }
    }

    private static void assertLabels(Map<String, String> labels) {
        labels.forEach((k, v) -> {
            assertQualifiedName(k, "label key");
            assertThat(v.isEmpty() || v.length() <= 63 && QUALIFIED_NAME_PART.matcher(v).matches())
                    .as("label value " + k + "=" + v).isTrue();
        });
    }

    private static void assertQualifiedName(String key, String what) {
        String name = key.contains("/") ? key.substring(key.indexOf('/') + 1) : key;
        if (key.contains("/")) {
            String prefix = key.substring(0, key.indexOf('/'));
            assertThat(DNS_SUBDOMAIN.matcher(prefix).matches() && prefix.length() <= 253).as(what + " prefix " + key).isTrue();
        }
        assertThat(name.length() <= 63 && QUALIFIED_NAME_PART.matcher(name).matches()).as(what + " " + key).isTrue();
    }

    private static void assertPod(PodSpec spec) {
        Set<String> volumes = new HashSet<>();
        for (Volume v : spec.getVolumes()) {
            assertThat(DNS_LABEL.matcher(v.getName()).matches()).as("volume name " + v.getName()).isTrue();
            assertThat(volumes.add(v.getName())).as("volume " + v.getName() + " is unique").isTrue();
        }
        List<Container> all = new ArrayList<>(spec.getInitContainers());
        all.addAll(spec.getContainers());
        Set<String> names = new HashSet<>();
        for (Container c : all) {
            assertThat(DNS_LABEL.matcher(c.getName()).matches() && c.getName().length() <= 63)
                    .as("container name " + c.getName()).isTrue();
            assertThat(names.add(c.getName())).as("container name " + c.getName() + " is unique").isTrue();
            assertThat(c.getImage()).as(c.getName() + " image").isNotBlank();
            if (c.getImagePullPolicy() != null) {
                assertThat(PULL_POLICIES).as(c.getName() + " pull policy").contains(c.getImagePullPolicy());
            }
            Set<String> paths = new HashSet<>();
            for (VolumeMount m : c.getVolumeMounts()) {
                assertThat(volumes).as(c.getName() + " mounts " + m.getName()).contains(m.getName());
                assertThat(paths.add(m.getMountPath())).as(c.getName() + " mount path " + m.getMountPath() + " is unique")
                        .isTrue();
            }
            if (c.getResources() != null) {
                Stream.concat(c.getResources().getRequests().values().stream(),
                                c.getResources().getLimits().values().stream())
                        .forEach(q -> assertThat(Quantity.getAmountInBytes(q)).as(c.getName() + " quantity " + q).isNotNull());
            }
            for (EnvVar e : c.getEnv()) {
                if (e.getName().equals("BUILDKITE_AGENT_TOKEN")) {
                    assertThat(c.getName()).as("only the agent container has the token").isEqualTo("agent");
                    assertThat(e.getValue()).as("the token is never a plain value").isNull();
                    assertThat(e.getValueFrom().getSecretKeyRef()).as("the token comes from a secret").isNotNull();
                }
            }
        }
        assertThat(spec.getContainers().stream().map(Container::getName)).contains("agent");
    }
}
