package dev.agentstack.podspec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Image references follow the Docker distribution grammar. */
class ImageReferenceTest {

    @ParameterizedTest
    @CsvSource({
        "alpine, alpine, , false",
        "alpine:3.20, alpine, 3.20, false",
        "library/alpine:latest, library/alpine, latest, false",
        "ghcr.io/buildkite/agent:3.136.2, ghcr.io/buildkite/agent, 3.136.2, false",
        "localhost:5000/team/app:v1, localhost:5000/team/app, v1, false",
        "registry.example.com/a__b/c-d.e:tag_1, registry.example.com/a__b/c-d.e, tag_1, false",
        "alpine@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef, alpine, , true",
        "alpine:3@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef, alpine, 3, true",
        "[::1]:5000/app, [::1]:5000/app, , false"
    })
    void parses(String image, String name, String tag, boolean digest) {
        ImageReference ref = ImageReference.parse(image);
        assertThat(ref.name()).isEqualTo(name);
        assertThat(ref.tag()).isEqualTo(tag);
        assertThat(ref.hasDigest()).isEqualTo(digest);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "Alpine",
                "alpine:",
                "alpine::1",
                ":tag",
                "alpine@sha256:abc",
                "a/-b",
                "alpine:-x",
                "a b",
                "alpine/Upper",
                "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
            })
    void rejects(String image) {
        assertThatThrownBy(() -> ImageReference.parse(image)).hasMessage("invalid reference format");
    }

    @ParameterizedTest
    @CsvSource({
        "ghcr.io/buildkite/agent:3.136.2, 3",
        "ghcr.io/buildkite/agent:4.0.0-beta.15, 4",
        "buildkite/agent:v4, 4",
        "buildkite/agent:4-ubuntu-22.04, 4",
        "buildkite/agent:10.1, 10",
        "buildkite/agent:latest, -1",
        "buildkite/agent:4x, -1",
        "buildkite/agent, -1",
        "alpine@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef, -1"
    })
    void tagMajorVersion(String image, int major) {
        assertThat(ImageReference.parse(image).tagMajorVersion()).isEqualTo(major);
    }

    private static final String DIGEST = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    /** allowed-images patterns match the full name, so a short name cannot slip past a pattern for a registry. */
    @ParameterizedTest
    @CsvSource({
        "alpine:3, docker.io/library/alpine:3",
        "alpine, docker.io/library/alpine:latest",
        "bitnami/kubectl:1.31, docker.io/bitnami/kubectl:1.31",
        "docker.io/library/alpine:3, docker.io/library/alpine:3",
        "ghcr.io/buildkite/agent:3.136.2, ghcr.io/buildkite/agent:3.136.2",
        "localhost/app, localhost/app:latest",
        "localhost:5000/team/app:v1, localhost:5000/team/app:v1",
        "alpine@sha256:" + DIGEST + ", docker.io/library/alpine@sha256:" + DIGEST
    })
    void fullNameFillsInDockerHub(String image, String full) {
        assertThat(ImageReference.parse(image).fullName()).isEqualTo(full);
    }
}
