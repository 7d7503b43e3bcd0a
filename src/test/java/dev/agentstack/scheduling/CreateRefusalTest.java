package dev.agentstack.scheduling;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentstack.scheduling.CreateRefusal.Kind;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.stream.Stream;
import org.apache.camel.RuntimeCamelException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Failed creations, with Status answers shaped as kube-apiserver 1.36 sends them. */
class CreateRefusalTest {

    static final String JOB = "buildkite-0198c0de-1111-4222-8333-444455556666";

    /** 422 from validation: the message names every field, and details.causes lists them. */
    static Status invalid() {
        return new StatusBuilder()
                .withStatus("Failure")
                .withCode(422)
                .withReason("Invalid")
                .withMessage("Job.batch \"" + JOB + "\" is invalid: spec.template.spec.containers[0].env[0].name:"
                        + " Invalid value: \"A=B\": a valid environment variable name must consist only of printable"
                        + " ASCII characters other than '='")
                .withNewDetails()
                .withName(JOB)
                .withGroup("batch")
                .withKind("Job")
                .addNewCause()
                .withReason("FieldValueInvalid")
                .withField("spec.template.spec.containers[0].env[0].name")
                .withMessage("Invalid value: \"A=B\": a valid environment variable name must consist only of"
                        + " printable ASCII characters other than '='")
                .endCause()
                .endDetails()
                .build();
    }

    /** A validating webhook's denial (apiserver's ToStatusErr keeps the webhook's code, here 403). */
    static Status webhook() {
        return new StatusBuilder()
                .withStatus("Failure")
                .withCode(403)
                .withReason("Forbidden")
                .withMessage("admission webhook \"validation.gatekeeper.sh\" denied the request: [must-have-owner]"
                        + " you must provide labels: {\"owner\"}")
                .build();
    }

    static Status podSecurity() {
        return new StatusBuilder()
                .withStatus("Failure")
                .withCode(403)
                .withReason("Forbidden")
                .withMessage("pods \"" + JOB + "-x7k2p\" is forbidden: violates PodSecurity \"restricted:latest\":"
                        + " allowPrivilegeEscalation != false (container \"agent\" must set"
                        + " securityContext.allowPrivilegeEscalation=false)")
                .withNewDetails()
                .withName(JOB + "-x7k2p")
                .withKind("pods")
                .endDetails()
                .build();
    }

    static Status rbac() {
        return new StatusBuilder()
                .withStatus("Failure")
                .withCode(403)
                .withReason("Forbidden")
                .withMessage("jobs.batch is forbidden: User \"system:serviceaccount:buildkite:agent-stack-camel\""
                        + " cannot create resource \"jobs\" in API group \"batch\" in the namespace \"buildkite\"")
                .withNewDetails()
                .withGroup("batch")
                .withKind("jobs")
                .endDetails()
                .build();
    }

    static Stream<Arguments> answers() {
        Status badRequest = new StatusBuilder()
                .withStatus("Failure")
                .withCode(400)
                .withReason("BadRequest")
                .withMessage("admission webhook \"policy.example.com\" denied the request without explanation")
                .build();
        Status policy = new StatusBuilder()
                .withStatus("Failure")
                .withCode(403)
                .withReason("Forbidden")
                .withMessage("jobs.batch \"" + JOB + "\" is forbidden: ValidatingAdmissionPolicy 'no-host-path'"
                        + " with binding 'no-host-path' denied request: hostPath volumes are not allowed")
                .build();
        Status quota = new StatusBuilder()
                .withStatus("Failure")
                .withCode(403)
                .withReason("Forbidden")
                .withMessage("jobs.batch \"" + JOB + "\" is forbidden: exceeded quota: jobs, requested:"
                        + " count/jobs.batch=1, used: count/jobs.batch=50, limited: count/jobs.batch=50")
                .build();
        Status terminating = new StatusBuilder()
                .withStatus("Failure")
                .withCode(403)
                .withReason("Forbidden")
                .withMessage("jobs.batch \"" + JOB + "\" is forbidden: unable to create new content in namespace"
                        + " buildkite because it is being terminated")
                .build();
        Status overloaded = new StatusBuilder()
                .withStatus("Failure")
                .withCode(503)
                .withReason("ServiceUnavailable")
                .withMessage("the server is currently unable to handle the request")
                .build();
        Status tooMany = new StatusBuilder()
                .withStatus("Failure")
                .withCode(429)
                .withReason("TooManyRequests")
                .withMessage("too many requests")
                .build();
        return Stream.of(
                Arguments.of("422 Invalid", invalid(), Kind.JOB_REFUSED),
                Arguments.of("400 from a webhook", badRequest, Kind.JOB_REFUSED),
                Arguments.of("403 from a webhook", webhook(), Kind.JOB_REFUSED),
                Arguments.of("403 from Pod Security", podSecurity(), Kind.JOB_REFUSED),
                Arguments.of("403 from an admission policy", policy, Kind.JOB_REFUSED),
                Arguments.of("403 from RBAC", rbac(), Kind.NOT_PERMITTED),
                Arguments.of("403 over quota", quota, Kind.RETRY),
                Arguments.of("403 namespace terminating", terminating, Kind.RETRY),
                Arguments.of("503", overloaded, Kind.RETRY),
                Arguments.of("429", tooMany, Kind.RETRY));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("answers")
    void classifiesTheApiServersAnswerAndKeepsItsMessage(String name, Status status, Kind kind) {
        CreateRefusal refusal = CreateRefusal.classify(new KubernetesClientException(status));
        assertThat(refusal.kind()).isEqualTo(kind);
        assertThat(refusal.message()).isEqualTo(status.getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("answers")
    void findsTheAnswerInsideCamelsWrapping(String name, Status status, Kind kind) {
        Throwable wrapped = new RuntimeCamelException(new KubernetesClientException(status));
        assertThat(CreateRefusal.classify(wrapped).kind()).isEqualTo(kind);
    }

    @org.junit.jupiter.api.Test
    void aFailureWithoutAnAnswerIsRetried() {
        CreateRefusal refusal = CreateRefusal.classify(new java.net.SocketTimeoutException("timeout"));
        assertThat(refusal).isEqualTo(new CreateRefusal(Kind.RETRY, "timeout"));
    }
}
