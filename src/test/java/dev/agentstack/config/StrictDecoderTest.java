package dev.agentstack.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentstack.podspec.CheckoutParams;
import dev.agentstack.podspec.CommandParams;
import dev.agentstack.podspec.Interposer;
import io.fabric8.kubernetes.api.model.PodSpec;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Strict decoding names the path and the problem, where Go's decoder silently ignored unknown fields. */
class StrictDecoderTest {

    private static JsonNode json(String text) throws Exception {
        return StrictDecoder.MAPPER.readTree(text);
    }

    static Stream<Arguments> problems() {
        return Stream.of(
                Arguments.of(
                        "{\"containers\":[{\"env\":[{\"name\":\"A\",\"value\":1}]}]}",
                        "podSpec.containers[0].env[0].value: expected a string, got a number"),
                Arguments.of(
                        "{\"containers\":[{\"imagePullPolcy\":\"Always\"}]}",
                        "podSpec.containers[0].imagePullPolcy: unknown field"),
                Arguments.of("{\"containers\":{\"name\":\"x\"}}", "podSpec.containers: expected a list, got an object"),
                Arguments.of(
                        "{\"containers\":[{\"command\":\"echo hi\"}]}",
                        "podSpec.containers[0].command: expected a list, got a string"),
                Arguments.of(
                        "{\"terminationGracePeriodSeconds\":\"60\"}",
                        "podSpec.terminationGracePeriodSeconds: expected an integer, got a string"),
                Arguments.of("{\"hostNetwork\":\"yes\"}", "podSpec.hostNetwork: expected a boolean, got a string"),
                Arguments.of(
                        "{\"nodeSelector\":{\"a\":true}}", "podSpec.nodeSelector.a: expected a string, got a boolean"),
                Arguments.of(
                        "{\"containers\":[{\"name\":\"a\",\"stdin\":1}]}",
                        "podSpec.containers[0].stdin: expected a boolean, got a number"));
    }

    @ParameterizedTest
    @MethodSource("problems")
    void namesThePathAndTheProblem(String podSpec, String message) throws Exception {
        assertThatThrownBy(() -> StrictDecoder.decode(json(podSpec), PodSpec.class, "podSpec"))
                .isInstanceOf(DecodeException.class)
                .hasMessage(message);
    }

    @Test
    void acceptsWhatKubernetesAccepts() throws Exception {
        PodSpec spec = StrictDecoder.decode(json("""
                {"containers":[{"name":"a","image":"alpine","resources":{"limits":{"cpu":1,"memory":"1Gi"}},
                 "ports":[{"containerPort":80}],"livenessProbe":{"httpGet":{"port":"http"}}}],
                 "volumes":[{"name":"w","emptyDir":{}}]}"""), PodSpec.class, "podSpec");
        assertThat(spec.getContainers()
                        .get(0)
                        .getResources()
                        .getLimits()
                        .get("cpu")
                        .toString())
                .isEqualTo("1");
        assertThat(spec.getVolumes().get(0).getEmptyDir()).isNotNull();
    }

    @Test
    void interposerErrorsUseTheOriginalWording() throws Exception {
        assertThatThrownBy(() ->
                        StrictDecoder.decode(json("{\"interposer\":\"bash\"}"), CommandParams.class, "commandParams"))
                .hasMessage("commandParams.interposer: invalid interposer \"bash\", must be one of: [ buildkite vector"
                        + " legacy]");
        assertThat(StrictDecoder.decode(json("{\"interposer\":\"\"}"), CommandParams.class, "")
                        .interposer())
                .isNull();
        assertThat(StrictDecoder.decode(json("{\"interposer\":\"vector\"}"), CommandParams.class, "")
                        .interposer())
                .isEqualTo(Interposer.VECTOR);
    }

    @Test
    void unknownFieldsOfOurOwnTypesListTheKnownOnes() throws Exception {
        assertThatThrownBy(() -> StrictDecoder.decode(json("{\"clone\":\"x\"}"), CheckoutParams.class, "checkout"))
                .hasMessageStartingWith(
                        "checkout.clone: unknown field (known fields: checkoutFlags, cleanFlags, cloneFlags");
    }
}
