package dev.agentstack.scheduling;

import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.client.KubernetesClientException;

/**
 * What a failed Job creation means, from the API server's answer. The job's own Job was refused (422 Invalid, 400, or a
 * 403 from admission: a webhook, a ValidatingAdmissionPolicy or Pod Security): sending it again gets the same answer,
 * so the job fails once with the API server's message. The controller may not create Jobs at all (a 403 from RBAC):
 * every job would fail the same way, so it is the controller's problem, not the job's. Anything else (5xx, a timeout,
 * 429, a quota 403, a namespace being deleted) may pass: a later poll tries again.
 *
 * @param kind    what to do about it
 * @param message the API server's message (its Status message), or the error's; never null
 */
public record CreateRefusal(Kind kind, String message) {

    public enum Kind {
        /** The API server refuses this Job and would refuse it again: fail the job once. */
        JOB_REFUSED,
        /** The controller may not create Jobs (RBAC): back off, report not ready, log once. */
        NOT_PERMITTED,
        /** May pass: a later poll tries again. */
        RETRY
    }

    /** The refusal in {@code error} or its causes (Camel may wrap the client's exception). */
    public static CreateRefusal classify(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof KubernetesClientException k) {
                return classify(k);
            }
        }
        return new CreateRefusal(Kind.RETRY, error == null ? "unknown error" : String.valueOf(error.getMessage()));
    }

    public static CreateRefusal classify(KubernetesClientException error) {
        Status status = error.getStatus();
        String message = status != null
                        && status.getMessage() != null
                        && !status.getMessage().isBlank()
                ? status.getMessage()
                : String.valueOf(error.getMessage());
        int code = error.getCode();
        if (code == 422 || code == 400) {
            return new CreateRefusal(Kind.JOB_REFUSED, message);
        }
        if (code == 403) {
            if (fromAdmission(message)) {
                return new CreateRefusal(Kind.JOB_REFUSED, message);
            }
            if (fromAuthorization(message)) {
                return new CreateRefusal(Kind.NOT_PERMITTED, message);
            }
        }
        return new CreateRefusal(Kind.RETRY, message);
    }

    /** The wording of apiserver's webhook, admission-policy and Pod Security denials. */
    private static boolean fromAdmission(String message) {
        return message.contains("admission webhook") && message.contains("denied the request")
                || message.contains("violates PodSecurity")
                || message.contains("denied request: ");
    }

    /** The authorizer's: {@code User "<name>" cannot create resource "jobs" in API group "batch" ...}. */
    private static boolean fromAuthorization(String message) {
        return message.contains("User \"") && message.contains(" cannot create resource ");
    }
}
