package dev.agentstack.kubernetes;

import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.List;
import java.util.Map;

/**
 * The calls the events routes make about one of our Jobs: read it live (a cache may be stale), its pods and events,
 * mark it as reported, set its deadline, and delete it now. Deletes go through the write rate limit.
 */
public final class KubernetesJobs {

    private final KubernetesClient client;
    private final String namespace;
    private final Runnable beforeWrite;

    /** @param beforeWrite waits for the write rate limit (k8s-client-rate-limiter-qps) */
    public KubernetesJobs(KubernetesClient client, String namespace, Runnable beforeWrite) {
        this.client = client;
        this.namespace = namespace;
        this.beforeWrite = beforeWrite;
    }

    /** The Job as the API server has it now, or null when it is gone. */
    public Job live(String name) {
        return client.batch().v1().jobs().inNamespace(namespace).withName(name).get();
    }

    /** The pods of a Job, by the job-name label the Job controller sets. */
    public List<Pod> pods(String jobName) {
        return client.pods()
                .inNamespace(namespace)
                .withLabel("batch.kubernetes.io/job-name", jobName)
                .list()
                .getItems();
    }

    /** The events about an object, e.g. ("Pod", name). */
    public List<Event> events(String kind, String name) {
        return client.v1()
                .events()
                .inNamespace(namespace)
                .withFields(Map.of("involvedObject.kind", kind, "involvedObject.name", name))
                .list()
                .getItems();
    }

    /** Annotates the Job with what was reported; false when the Job is gone. */
    public boolean markReported(String jobName, String reason) {
        beforeWrite.run();
        try {
            client.batch()
                    .v1()
                    .jobs()
                    .inNamespace(namespace)
                    .withName(jobName)
                    .edit(j -> new JobBuilder(j)
                            .editMetadata()
                            .addToAnnotations(JobLabels.FAILURE_REPORTED, reason)
                            .endMetadata()
                            .build());
            return true;
        } catch (KubernetesClientException e) {
            if (e.getCode() == 404) {
                return false;
            }
            throw e;
        }
    }

    /** Sets the Job's activeDeadlineSeconds (the completion watcher); false when the Job is gone. */
    public boolean setActiveDeadlineSeconds(String jobName, long seconds) {
        beforeWrite.run();
        try {
            client.batch()
                    .v1()
                    .jobs()
                    .inNamespace(namespace)
                    .withName(jobName)
                    .edit(j -> new JobBuilder(j)
                            .editSpec()
                            .withActiveDeadlineSeconds(seconds)
                            .endSpec()
                            .build());
            return true;
        } catch (KubernetesClientException e) {
            if (e.getCode() == 404) {
                return false;
            }
            throw e;
        }
    }

    /** Deletes the Job and its pods at once (grace period 0, background propagation); a Job already gone is done. */
    public void deleteNow(String jobName) {
        beforeWrite.run();
        client.batch()
                .v1()
                .jobs()
                .inNamespace(namespace)
                .withName(jobName)
                .withPropagationPolicy(DeletionPropagation.BACKGROUND)
                .withGracePeriod(0)
                .delete();
    }
}
