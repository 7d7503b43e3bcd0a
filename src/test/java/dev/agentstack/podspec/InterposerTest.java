package dev.agentstack.podspec;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The interposers turn a container's command and args into BUILDKITE_COMMAND (the original's TestInterposer). */
class InterposerTest {

    private static final List<String> COMMAND = List.of("one", "two", "three", "four", "five six seven eight");
    private static final List<String> ARGS = List.of("nine", "ten", "eleven twelve");

    static Stream<Arguments> vectors() {
        return Stream.of(
                Arguments.of(
                        Interposer.BUILDKITE,
                        COMMAND,
                        ARGS,
                        "one\ntwo\nthree\nfour\nfive six seven eight nine ten 'eleven twelve'"),
                Arguments.of(
                        Interposer.VECTOR,
                        COMMAND,
                        ARGS,
                        "one two three four 'five six seven eight' nine ten 'eleven twelve'"),
                Arguments.of(
                        Interposer.LEGACY,
                        COMMAND,
                        ARGS,
                        "one two three four five six seven eight nine ten eleven twelve"),
                Arguments.of(Interposer.BUILDKITE, List.of("echo", "hi"), List.of(), "echo\nhi"),
                Arguments.of(Interposer.VECTOR, List.of("echo", "hi"), List.of(), "echo hi"),
                Arguments.of(Interposer.BUILDKITE, List.of(), List.of("a b"), "'a b'"),
                Arguments.of(Interposer.VECTOR, List.of("echo", "it's"), List.of(), "echo it\\'s"),
                Arguments.of(Interposer.VECTOR, List.of("echo", "it's here"), List.of(), "echo 'it'\\''s here'"),
                Arguments.of(
                        Interposer.VECTOR,
                        List.of("echo", "$HOME", "a|b", "~/x", "x~"),
                        List.of(),
                        "echo \\$HOME a\\|b \\~/x x~"),
                Arguments.of(Interposer.VECTOR, List.of("printf", ""), List.of(), "printf ''"),
                Arguments.of(
                        Interposer.VECTOR,
                        List.of("sh", "-c", "echo \"$X\"; ls"),
                        List.of(),
                        "sh -c 'echo \"$X\"; ls'"));
    }

    @ParameterizedTest
    @MethodSource("vectors")
    void buildsTheCommand(Interposer interposer, List<String> command, List<String> args, String expected) {
        assertThat(interposer.command(command, args)).isEqualTo(expected);
    }
}
