package dev.agentstack.kubernetes.watch;

import dev.agentstack.kubernetes.client.JobStatusClient;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobList;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.HttpURLConnection;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Lists the Jobs carrying our controller-id label, for the periodic reconcile of the in-flight count: in pages of
 * {@value WatchedKind#LIST_PAGE_SIZE} (limit/continue, one consistent snapshot), read without their specs
 * ({@link JobStatusClient}) and trimmed to their metadata and status as soon as each page arrives, so thousands of Jobs
 * never sit in the heap with their pod templates. When the API server has expired the continue token (410 Gone)
 * before the last page, the list starts again unpaged, as client-go's pager does.
 */
public final class OurJobs {

    private final KubernetesClient client;
    private final String namespace;
    private final String labelSelector;

    public OurJobs(KubernetesClient client, String namespace, Map<String, String> labels) {
        this.client = JobStatusClient.of(client);
        this.namespace = namespace;
        this.labelSelector = labels.entrySet().stream()
                .map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining(","));
    }

    public List<Job> list() {
        List<Job> jobs = new ArrayList<>();
        String continueToken = null;
        do {
            JobList page;
            try {
                page = page(WatchedKind.LIST_PAGE_SIZE, continueToken);
            } catch (KubernetesClientException e) {
                if (continueToken == null || e.getCode() != HttpURLConnection.HTTP_GONE) {
                    throw e;
                }
                return trimmed(page(null, null).getItems(), new ArrayList<>());
            }
            trimmed(page.getItems(), jobs);
            continueToken =
                    page.getMetadata() == null ? null : page.getMetadata().getContinue();
        } while (continueToken != null && !continueToken.isEmpty());
        return jobs;
    }

    private JobList page(Long limit, String continueToken) {
        return client.batch()
                .v1()
                .jobs()
                .inNamespace(namespace)
                .list(new ListOptionsBuilder()
                        .withLabelSelector(labelSelector)
                        .withLimit(limit)
                        .withContinue(continueToken)
                        .build());
    }

    private static List<Job> trimmed(List<Job> items, List<Job> into) {
        for (Job job : items) {
            into.add(WatchedKind.trimJob(job));
        }
        return into;
    }
}
