package dev.agentstack.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.agentstack.config.Options;
import dev.agentstack.podspec.policy.RestrictedDefaults;
import dev.agentstack.testing.HostilePipelines;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pod policy's Pod Security verdict equals the API server's, at baseline and at restricted, for every example
 * pipeline and every entry of the hostile-pipelines table: a pod the policy lets through is admitted by a namespace
 * that enforces the level, and a pod it refuses under a Pod Security Standards rule is refused there too
 * ("violates PodSecurity"; a few hostile pods are invalid before Pod Security looks at them, such as an unmasked
 * /proc without hostUsers false, and are refused all the same). The pod the API server judges is the one the
 * controller would have posted without the policy's check: built at privileged, then given restricted's defaults where
 * the level is restricted. Entries that the policy refuses under its own rules (the controller's Secrets, images,
 * service accounts, ...) go beyond Pod Security and are not compared. Verdicts go to target/cluster/pod-policy-verdicts.txt.
 */
@ExtendWith(LocalCluster.class)
class PodPolicyAgreesWithPodSecurityClusterIT {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final List<String> LEVELS = List.of("baseline", "restricted");

    @TempDir
    Path dir;

    private record Case(String name, Path pipeline, Path config) {}

    @Test
    void thePolicysVerdictIsTheApiServersAtBaselineAndRestricted() throws IOException {
        try (KubernetesClient client = LocalCluster.newClient()) {
            Map<String, String> namespaces = enforcingNamespaces(client);
            List<String> verdicts = new ArrayList<>();
            List<String> disagreements = new ArrayList<>();
            int compared = 0;
            for (Case c : cases()) {
                for (String level : LEVELS) {
                    String ns = namespaces.get(level);
                    CommandRun policy = render(c, level);
                    String policyVerdict;
                    Pod pod;
                    if (policy.exit() == 0) {
                        policyVerdict = "allowed";
                        pod = onlyPod(policy.out(), ns);
                    } else if (policy.err().contains(": baseline/")
                            || policy.err().contains(": restricted/")) {
                        policyVerdict = "refused";
                        CommandRun unchecked = render(c, "privileged");
                        if (unchecked.exit() != 0) {
                            // the entry's queue sets its own level, which the command line does not override
                            verdicts.add(c.name() + "\t" + level + "\tnot compared: " + firstLine(unchecked.err()));
                            continue;
                        }
                        pod = onlyPod(unchecked.out(), ns);
                        if (level.equals("restricted")) {
                            RestrictedDefaults.fill(pod.getSpec(), Options.DEFAULT_RUN_AS_USER);
                        }
                    } else {
                        verdicts.add(c.name() + "\t" + level + "\tnot compared: " + firstLine(policy.err()));
                        continue;
                    }
                    ensureServiceAccount(client, ns, pod.getSpec().getServiceAccountName());
                    String api = tryCreate(client, pod, ns);
                    String apiVerdict = api.equals("admitted")
                            ? "admitted"
                            : api.contains("violates PodSecurity") ? "refused by Pod Security" : "invalid";
                    if (!apiVerdict.equals("admitted") != policyVerdict.equals("refused")) {
                        disagreements.add(c.name() + " at " + level + ": the policy " + policyVerdict + " it ("
                                + firstLine(policy.err()) + "), the API server answered: " + api);
                    }
                    compared++;
                    verdicts.add(c.name() + "\t" + level + "\tpolicy " + policyVerdict + "\tAPI server " + apiVerdict
                            + (apiVerdict.equals("invalid") ? ": " + api : ""));
                }
            }
            Path report = Path.of("target/cluster/pod-policy-verdicts.txt");
            Files.createDirectories(report.getParent());
            Files.write(report, verdicts);
            assertThat(compared).as("pods compared").isGreaterThanOrEqualTo(40);
            assertThat(disagreements).isEmpty();
        }
    }

    private List<Case> cases() throws IOException {
        List<Case> cases = new ArrayList<>();
        for (Path pipeline : ExampleRenders.pipelines()) {
            String name = pipeline.getFileName().toString().replaceFirst("\\.yaml$", "");
            Path config = ExampleRenders.CONFIGS.resolve(name + ".yaml");
            cases.add(new Case(name, pipeline, Files.exists(config) ? config : null));
        }
        for (HostilePipelines h : HostilePipelines.all()) {
            Path pipeline = Files.writeString(dir.resolve(h.name() + ".yaml"), h.pipelineYaml());
            Path config = Files.writeString(dir.resolve(h.name() + ".config.yaml"), h.configYaml());
            cases.add(new Case(h.name(), pipeline, config));
        }
        return cases;
    }

    /** render, as a user runs it, with the level given on the command line over the case's config. */
    private static CommandRun render(Case c, String level) {
        List<String> args = new ArrayList<>(List.of("render", "--pod-security-level", level));
        if (c.config() != null) {
            args.addAll(List.of("--config", c.config().toString()));
        }
        args.add(c.pipeline().toString());
        return CommandRun.of(args.toArray(String[]::new));
    }

    /** The pod of the first Job printed (every case here is one step, so one Job). */
    private static Pod onlyPod(String stdout, String namespace) throws IOException {
        for (String doc : stdout.split("(?m)^---\n")) {
            if (!doc.isBlank()) {
                Job job = YAML.readValue(doc, Job.class);
                return new PodBuilder()
                        .withMetadata(new ObjectMetaBuilder(
                                        job.getSpec().getTemplate().getMetadata())
                                .withName(job.getMetadata().getName())
                                .withNamespace(namespace)
                                .build())
                        .withSpec(job.getSpec().getTemplate().getSpec())
                        .build();
            }
        }
        throw new AssertionError("render printed no Job: " + stdout);
    }

    private static Map<String, String> enforcingNamespaces(KubernetesClient client) {
        String suffix = Long.toString(ThreadLocalRandom.current().nextLong(36L * 36 * 36 * 36), 36);
        Map<String, String> namespaces = new LinkedHashMap<>();
        for (String level : LEVELS) {
            String ns = "policy-" + level + "-" + suffix;
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
        return namespaces;
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
    private static String tryCreate(KubernetesClient client, Pod pod, String namespace) {
        try {
            client.pods().inNamespace(namespace).resource(pod).dryRun().create();
            return "admitted";
        } catch (KubernetesClientException e) {
            return e.getStatus() != null && e.getStatus().getMessage() != null
                    ? e.getStatus().getMessage()
                    : e.getMessage();
        }
    }

    private static String firstLine(String s) {
        return s.lines().findFirst().orElse("");
    }
}
