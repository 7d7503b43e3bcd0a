package dev.agentstack.kubernetes.client;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.internal.OperationSupport;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.fabric8.kubernetes.client.utils.URLUtils;
import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Creates Jobs in one namespace, one POST each, as {@code jobs().inNamespace(ns).resource(job).create()} does: through
 * the client's own HTTP client (so its authentication, token refresh, impersonation and retries), with its request
 * timeout, and failing with the same {@link KubernetesClientException} (code and Status) on an error answer. It skips
 * what that call spends on every Job and a backlog pays thousands of times: the Job is written straight to bytes
 * (fabric8 writes a String, then encodes it), the URL is built once, and the answer is read only up to its metadata.
 * The spec is the one sent, and Kubernetes clears the status of every Job it creates, so nothing else in the answer
 * is news.
 */
public final class JobCreateCall {

    private final HttpClient http;
    private final JobStatusClient.DirectJsonSerialization serialization = JobStatusClient.serialization();
    private final String namespace;
    private final URL url;
    private final long requestTimeoutMillis;

    /** Creates in {@code namespace} through {@code client}'s HTTP client and configuration. */
    public JobCreateCall(KubernetesClient client, String namespace) {
        this.http = client.getHttpClient();
        this.namespace = Objects.requireNonNull(namespace, "namespace");
        this.requestTimeoutMillis = client.getConfiguration().getRequestTimeout();
        try {
            this.url = new URL(URLUtils.join(
                    client.getMasterUrl().toString(), "apis", "batch", "v1", "namespaces", namespace, "jobs"));
        } catch (MalformedURLException e) {
            throw new IllegalArgumentException(
                    "cannot create Jobs in namespace " + namespace + ": " + e.getMessage(), e);
        }
    }

    /**
     * Creates the Job and returns it as stored: the API server's metadata (uid, resourceVersion, creationTimestamp,
     * ...), the spec sent and an empty status. A Job naming another namespace is created in this one, as fabric8 does.
     *
     * @throws KubernetesClientException on any error answer (409 when a Job of that name exists) or failure to send
     */
    public Job create(Job job) {
        Job sent = inOurNamespace(job);
        HttpRequest request = http.newHttpRequestBuilder()
                .url(url)
                .post(OperationSupport.JSON, serialization.asJsonBytes(sent))
                .timeout(requestTimeoutMillis, TimeUnit.MILLISECONDS)
                .build();
        HttpResponse<byte[]> response = send(request);
        if (!response.isSuccessful()) {
            throw OperationSupport.requestFailure(request, OperationSupport.createStatus(response, serialization));
        }
        try {
            return new Job(
                    sent.getApiVersion(), sent.getKind(), metadata(response.body()), sent.getSpec(), new JobStatus());
        } catch (IOException | RuntimeException e) {
            throw OperationSupport.requestException(request, e);
        }
    }

    private Job inOurNamespace(Job job) {
        ObjectMeta meta = job.getMetadata();
        if (meta == null || meta.getNamespace() == null || meta.getNamespace().equals(namespace)) {
            return job;
        }
        // A copy, so the caller's Job stays as it was (not serialization.clone: this serialization reads no spec)
        return new JobBuilder(job)
                .editMetadata()
                .withNamespace(namespace)
                .endMetadata()
                .build();
    }

    private HttpResponse<byte[]> send(HttpRequest request) {
        try {
            return http.sendAsync(request, byte[].class).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw KubernetesClientException.launderThrowable(e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            if (cause instanceof KubernetesClientException k) {
                throw k.copyAsCause();
            }
            throw OperationSupport.requestException(request, cause instanceof Exception x ? x : e);
        }
    }

    /** The answer's metadata, read without going past it (the API server writes it before the spec). */
    private ObjectMeta metadata(byte[] answer) throws IOException {
        try (JsonParser p = serialization.parser(answer)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IOException("the answer is not a JSON object");
            }
            for (String field = p.nextFieldName(); field != null; field = p.nextFieldName()) {
                p.nextToken();
                if (field.equals("metadata")) {
                    return p.readValueAs(ObjectMeta.class);
                }
                p.skipChildren();
            }
        }
        throw new IOException("the answer has no metadata");
    }
}
