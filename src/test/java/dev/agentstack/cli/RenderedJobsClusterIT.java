package dev.agentstack.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.agentstack.testing.LocalCluster;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The Jobs that render prints for the example pipelines (and the hostile ones, when present), sent with dryRun=All to
 * a real API server: each Job must pass its validation and admission, which {@link RenderedJobsAreValidTest} only
 * approximates. Each Job's pod is also tried in namespaces that enforce the baseline and restricted Pod Security
 * Standards; those verdicts are recorded in target/cluster/pod-security-verdicts.txt, and the only refusals allowed
 * are Pod Security's.
 */
@ExtendWith(LocalCluster.class)
class RenderedJobsClusterIT {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Path HOSTILE = Path.of("src/test/resources/hostile-pipelines");
    private static final List<String> LEVELS = List.of("privileged", "baseline", "restricted");

    @Test
    void everyRenderedJobIsAdmittedAndItsPodsPodSecurityVerdictsAreRecorded() throws IOException {
        try (KubernetesClient client = LocalCluster.newClient()) {
            String suffix = Long.toString(ThreadLocalRandom.current().nextLong(36L * 36 * 36 * 36), 36);
            Map<String, String> namespaces = new LinkedHashMap<>();
            for (String level : LEVELS) {
                String ns = "psa-" + level + "-" + suffix;
                client.namespaces()
                        .resource(new NamespaceBuilder()
                                .withNewMetadata()
                                .withName(ns)
                                .addToLabels("pod-security.kubernetes.io/enforce", level)
                                .endMetadata()
                                .build())
                        .create();
                client.serviceAccounts()
                        .inNamespace(ns)
                        .withName("default")
                        .waitUntilCondition(Objects::nonNull, 60, TimeUnit.SECONDS);
                namespaces.put(level, ns);
            }

            List<String> verdicts = new ArrayList<>();
            List<String> problems = new ArrayList<>();
            for (Path pipeline : pipelines()) {
                ExampleRenders rendered = ExampleRenders.render(pipeline);
                for (Job job : jobs(rendered.stdout())) {
                    String what =
                            pipeline.getFileName() + " " + job.getMetadata().getName();
                    String jobVerdict = tryCreate(client, job, namespaces.get("privileged"));
                    if (!jobVerdict.equals("admitted")) {
                        problems.add(what + ": the Job was refused: " + jobVerdict);
                    }
                    StringBuilder line =
                            new StringBuilder(pipeline.getFileName().toString());
                    for (String level : LEVELS.subList(1, LEVELS.size())) {
                        String ns = namespaces.get(level);
                        Pod pod = podOf(job, ns);
                        ensureServiceAccount(client, ns, pod.getSpec().getServiceAccountName());
                        String verdict = tryCreate(client, pod, ns);
                        line.append("\t").append(level).append(": ").append(verdict);
                        if (!verdict.equals("admitted") && !verdict.contains("violates PodSecurity")) {
                            problems.add(
                                    what + ": its pod was refused in " + level + " for another reason: " + verdict);
                        }
                    }
                    verdicts.add(line.toString());
                }
            }
            Path report = Path.of("target/cluster/pod-security-verdicts.txt");
            Files.createDirectories(report.getParent());
            Files.write(report, verdicts);
            verdicts.forEach(System.out::println);
            assertThat(verdicts).isNotEmpty();
            assertThat(problems).isEmpty();
        }
    }

    private static List<Path> pipelines() throws IOException {
        List<Path> all = new ArrayList<>(ExampleRenders.pipelines());
        if (Files.isDirectory(HOSTILE)) {
            try (Stream<Path> files = Files.list(HOSTILE)) {
                files.filter(f -> f.toString().endsWith(".yaml")).sorted().forEach(all::add);
            }
        }
        return all;
    }

    private static List<Job> jobs(String stdout) throws IOException {
        List<Job> jobs = new ArrayList<>();
        for (String doc : stdout.split("(?m)^---\n")) {
            if (!doc.isBlank()) {
                jobs.add(YAML.readValue(doc, Job.class));
            }
        }
        return jobs;
    }

    private static Pod podOf(Job job, String namespace) {
        return new PodBuilder()
                .withMetadata(new ObjectMetaBuilder(job.getSpec().getTemplate().getMetadata())
                        .withName(job.getMetadata().getName())
                        .withNamespace(namespace)
                        .build())
                .withSpec(job.getSpec().getTemplate().getSpec())
                .build();
    }

    /** The ServiceAccount admission plugin refuses a pod whose account does not exist; that is not our question. */
    private static void ensureServiceAccount(KubernetesClient client, String namespace, String name) {
        if (name != null
                && client.serviceAccounts()
                                .inNamespace(namespace)
                                .withName(name)
                                .get()
                        == null) {
            client.serviceAccounts()
                    .inNamespace(namespace)
                    .resource(new ServiceAccountBuilder()
                            .withNewMetadata()
                            .withName(name)
                            .endMetadata()
                            .build())
                    .create();
        }
    }

    /** "admitted", or the API server's reason for refusing, from a dry run that stores nothing. */
    private static String tryCreate(
            KubernetesClient client, io.fabric8.kubernetes.api.model.HasMetadata object, String namespace) {
        object.getMetadata().setNamespace(namespace);
        try {
            client.resource(object).inNamespace(namespace).dryRun().create();
            return "admitted";
        } catch (KubernetesClientException e) {
            return e.getStatus() != null && e.getStatus().getMessage() != null
                    ? e.getStatus().getMessage()
                    : e.getMessage();
        }
    }
}
