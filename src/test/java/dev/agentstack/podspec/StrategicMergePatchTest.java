package dev.agentstack.podspec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Kubernetes' strategic merge patch on PodSpec, rule by rule (written as YAML flow maps for brevity). */
class StrategicMergePatchTest {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    static Stream<Arguments> rules() {
        return Stream.of(
                Arguments.of(
                        "containers merge by name",
                        "{containers: [{name: a, image: x}, {name: b, image: y}]}",
                        "{containers: [{name: b, image: z}]}",
                        "{containers: [{name: a, image: x}, {name: b, image: z}]}"),
                Arguments.of(
                        "a new container goes before the original-only ones",
                        "{containers: [{name: a}, {name: b}, {name: c}]}",
                        "{containers: [{name: d}, {name: b, image: y}]}",
                        "{containers: [{name: d}, {name: a}, {name: b, image: y}, {name: c}]}"),
                Arguments.of(
                        "a patch adding one container puts it first",
                        "{containers: [{name: container-0, image: alpine}]}",
                        "{containers: [{name: my-cool-container, image: debian}]}",
                        "{containers: [{name: my-cool-container, image: debian}, {name: container-0, image: alpine}]}"),
                Arguments.of(
                        "named items keep the server's order among server-only ones",
                        "{containers: [{name: a}, {name: b}, {name: c}]}",
                        "{containers: [{name: c, image: z}]}",
                        "{containers: [{name: a}, {name: b}, {name: c, image: z}]}"),
                Arguments.of(
                        "a patch without containers leaves them alone",
                        "{containers: [{name: a}], hostAliases: [{ip: 1.2.3.4, hostnames: [x]}]}",
                        "{hostAliases: [{ip: 5.6.7.8, hostnames: [y]}]}",
                        "{containers: [{name: a}], hostAliases: [{ip: 5.6.7.8, hostnames: [y]}, {ip: 1.2.3.4,"
                                + " hostnames: [x]}]}"),
                Arguments.of(
                        "env merges by name, keeping its place",
                        "{containers: [{name: a, env: [{name: X, value: '1'}, {name: Y, value: '2'}]}]}",
                        "{containers: [{name: a, env: [{name: X, value: '9'}]}]}",
                        "{containers: [{name: a, env: [{name: X, value: '9'}, {name: Y, value: '2'}]}]}"),
                Arguments.of(
                        "volumeMounts merge by mountPath",
                        "{containers: [{name: a, volumeMounts: [{name: w, mountPath: /w}]}]}",
                        "{containers: [{name: a, volumeMounts: [{name: v, mountPath: /w, readOnly: true}, {name: c,"
                                + " mountPath: /c}]}]}",
                        "{containers: [{name: a, volumeMounts: [{name: v, mountPath: /w, readOnly: true}, {name: c,"
                                + " mountPath: /c}]}]}"),
                Arguments.of(
                        "ports merge by containerPort",
                        "{containers: [{name: a, ports: [{containerPort: 80, name: http}]}]}",
                        "{containers: [{name: a, ports: [{containerPort: 80, protocol: TCP}, {containerPort: 443}]}]}",
                        "{containers: [{name: a, ports: [{containerPort: 80, name: http, protocol: TCP},"
                                + " {containerPort: 443}]}]}"),
                Arguments.of(
                        "command and args are replaced whole",
                        "{containers: [{name: a, command: [x, y], args: [z]}]}",
                        "{containers: [{name: a, command: [q]}]}",
                        "{containers: [{name: a, command: [q], args: [z]}]}"),
                Arguments.of(
                        "envFrom is replaced whole",
                        "{containers: [{name: checkout, envFrom: [{secretRef: {name: a}}, {secretRef: {name: b}}]}]}",
                        "{containers: [{name: checkout, envFrom: [{secretRef: {name: git-ssh-key}}]}]}",
                        "{containers: [{name: checkout, envFrom: [{secretRef: {name: git-ssh-key}}]}]}"),
                Arguments.of(
                        "tolerations are replaced whole",
                        "{tolerations: [{key: a, operator: Exists}]}",
                        "{tolerations: [{key: b, operator: Exists}]}",
                        "{tolerations: [{key: b, operator: Exists}]}"),
                Arguments.of(
                        "maps merge key by key",
                        "{nodeSelector: {a: '1', b: '2'}, containers: [{name: a, resources: {limits: {cpu: '1'}}}]}",
                        "{nodeSelector: {b: '3', c: '4'}, containers: [{name: a, resources: {requests: {cpu: 100m}}}]}",
                        "{nodeSelector: {a: '1', b: '3', c: '4'}, containers: [{name: a, resources: {limits: {cpu:"
                                + " '1'}, requests: {cpu: 100m}}}]}"),
                Arguments.of(
                        "null deletes a field",
                        "{serviceAccountName: x, nodeSelector: {a: '1', b: '2'}}",
                        "{serviceAccountName: null, nodeSelector: {a: null}}",
                        "{nodeSelector: {b: '2'}}"),
                Arguments.of(
                        "volumes merge by name",
                        "{volumes: [{name: w, emptyDir: {}}, {name: h, configMap: {name: x}}]}",
                        "{volumes: [{name: h, configMap: {name: y}}]}",
                        "{volumes: [{name: w, emptyDir: {}}, {name: h, configMap: {name: y}}]}"),
                Arguments.of(
                        "imagePullSecrets merge by name",
                        "{imagePullSecrets: [{name: a}]}",
                        "{imagePullSecrets: [{name: b}]}",
                        "{imagePullSecrets: [{name: b}, {name: a}]}"),
                Arguments.of(
                        "$patch: delete removes a list item",
                        "{containers: [{name: a}, {name: b}]}",
                        "{containers: [{name: a, $patch: delete}]}",
                        "{containers: [{name: b}]}"),
                Arguments.of(
                        "$patch: replace replaces a list",
                        "{containers: [{name: a}, {name: b}]}",
                        "{containers: [{name: c}, {$patch: replace}]}",
                        "{containers: [{name: c}]}"),
                Arguments.of(
                        "$patch: replace replaces a map",
                        "{securityContext: {runAsUser: 1, fsGroup: 2}}",
                        "{securityContext: {runAsGroup: 3, $patch: replace}}",
                        "{securityContext: {runAsGroup: 3}}"),
                Arguments.of(
                        "$patch: delete empties a map",
                        "{securityContext: {runAsUser: 1}}",
                        "{securityContext: {$patch: delete}}",
                        "{securityContext: {}}"),
                Arguments.of(
                        "$retainKeys keeps only the listed fields",
                        "{volumes: [{name: w, emptyDir: {}}]}",
                        "{volumes: [{name: w, hostPath: {path: /x}, $retainKeys: [name, hostPath]}]}",
                        "{volumes: [{name: w, hostPath: {path: /x}}]}"),
                Arguments.of(
                        "$setElementOrder orders the merged list",
                        "{containers: [{name: a}, {name: b}]}",
                        "{$setElementOrder/containers: [{name: b}, {name: a}], containers: [{name: a, image: x}]}",
                        "{containers: [{name: b}, {name: a, image: x}]}"),
                Arguments.of(
                        "a new list is taken as it is",
                        "{}",
                        "{initContainers: [{name: x, image: y}]}",
                        "{initContainers: [{name: x, image: y}]}"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rules")
    void appliesTheRule(String rule, String original, String patch, String expected) throws Exception {
        ObjectNode before = (ObjectNode) YAML.readTree(original);
        JsonNode result =
                StrategicMergePatch.apply(before, (ObjectNode) YAML.readTree(patch), StrategicMergePatch.POD_SPEC);
        assertThat(result).isEqualTo(YAML.readTree(expected));
        assertThat(before).as("the original is not changed").isEqualTo(YAML.readTree(original));
    }

    @ParameterizedTest
    @MethodSource("errors")
    void refusesBrokenPatches(String patch, String message) throws Exception {
        assertThatThrownBy(() -> StrategicMergePatch.apply(
                        (ObjectNode) YAML.readTree("{containers: [{name: a}]}"),
                        (ObjectNode) YAML.readTree(patch),
                        StrategicMergePatch.POD_SPEC))
                .isInstanceOf(StrategicMergePatch.PatchException.class)
                .hasMessage(message);
    }

    static Stream<Arguments> errors() {
        return Stream.of(
                Arguments.of("{containers: [{image: x}]}", "list item 0 does not contain declared merge key: name"),
                Arguments.of(
                        "{containers: [{$patch: delete}]}", "list item 0 does not contain declared merge key: name"),
                Arguments.of("{containers: [{$patch: sideways}]}", "unknown patch type: sideways in list"),
                Arguments.of("{securityContext: {$patch: sideways}}", "unknown patch type: sideways in map"));
    }
}
