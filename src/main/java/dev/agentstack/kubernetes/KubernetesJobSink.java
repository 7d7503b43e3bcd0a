package dev.agentstack.kubernetes;

import dev.agentstack.kubernetes.client.JobCreateCall;
import dev.agentstack.kubernetes.client.KubernetesClients;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClientException;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.InvalidPayloadException;
import org.apache.camel.Message;
import org.apache.camel.component.kubernetes.KubernetesConstants;

/**
 * The kubernetes-job-sink Kamelet's work: create the Job in the body, as it is. camel-kubernetes' createJob rebuilds
 * the Job from headers instead: it keeps only the name, labels and annotations of its metadata (a user route's
 * ownerReferences or finalizers would be lost) and copies the pod template twice.
 */
public final class KubernetesJobSink {

    /** true when a Job of that name existed already (409 AlreadyExists): the same Buildkite job, so scheduled. */
    public static final String ALREADY_EXISTS = "AgentStackJobAlreadyExists";

    private String kubernetesClient;
    private String namespace;
    private volatile JobCreateCall creations;

    /** The namespace to create Jobs in. */
    public void setNamespace(String namespace) {
        this.namespace = namespace;
    }

    /** The name of the KubernetesClient bean to use (a leading # is allowed); empty: the registry's only one. */
    public void setKubernetesClient(String kubernetesClient) {
        this.kubernetesClient = kubernetesClient;
    }

    /**
     * Creates the body's Job in the namespace. On success the body is the Job the API server stored (its metadata; the
     * spec is the one sent, and a new Job's status is empty); a 409 is success too, flagged in {@value #ALREADY_EXISTS};
     * any other failure is thrown. Takes only the exchange, so Camel has no arguments to parse on each call.
     */
    public void create(Exchange exchange) throws InvalidPayloadException {
        Message message = exchange.getMessage();
        Job job = message.getMandatoryBody(Job.class);
        // camel-kubernetes' own header names, so routes log the Job as they would after its producers
        message.setHeader(
                KubernetesConstants.KUBERNETES_JOB_NAME, job.getMetadata().getName());
        message.setHeader(KubernetesConstants.KUBERNETES_NAMESPACE_NAME, namespace);
        try {
            message.setBody(creations(exchange.getContext()).create(job));
            message.setHeader(ALREADY_EXISTS, false);
        } catch (KubernetesClientException e) {
            if (e.getCode() != 409) {
                throw e;
            }
            message.setHeader(ALREADY_EXISTS, true);
        }
    }

    private JobCreateCall creations(CamelContext context) {
        JobCreateCall c = creations;
        if (c == null) {
            synchronized (this) {
                if (creations == null) {
                    creations = new JobCreateCall(
                            KubernetesClients.named(context, kubernetesClient, "kubernetes-job-sink"), namespace);
                }
                c = creations;
            }
        }
        return c;
    }
}
