package dev.agentstack.cli;

import dev.agentstack.config.ConfigException;
import dev.agentstack.config.ConfigLoader;
import dev.agentstack.config.ControllerConfig;
import dev.agentstack.config.Options;
import dev.agentstack.runtime.Controller;
import dev.agentstack.runtime.Demo;
import dev.agentstack.runtime.Version;
import java.io.PrintStream;
import java.util.Map;
import java.util.UUID;
import org.slf4j.LoggerFactory;

/**
 * The command line: {@code java -jar agent-stack-camel.jar [run|demo|render|lint|version|help] [options]}. User
 * errors print one line and exit with code 2; no stack traces.
 */
public final class AgentStackCamel {

    public static final int EXIT_USAGE = 2;

    private AgentStackCamel() {}

    public static void main(String[] args) {
        System.exit(run(args, System.getenv(), System.out, System.err));
    }

    /** Runs a command and returns its exit code. */
    public static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
        try {
            CommandLine cl = CommandLine.parse(args);
            if (cl.help()) {
                out.print(cl.command() == null ? Help.overview() : Help.of(cl.command()));
                return 0;
            }
            return switch (cl.command()) {
                case VERSION -> {
                    out.println(Version.line());
                    yield 0;
                }
                case DEMO -> {
                    Demo demo = Demo.installed().orElse(null);
                    if (demo == null) {
                        err.println("agent-stack-camel: " + Demo.NOT_IN_THIS_JAR);
                        yield EXIT_USAGE;
                    }
                    Logging.quietForDemo();
                    yield demo.run(cl.options(), cl.configFile(), maxSeconds(cl), env, out);
                }
                case RUN -> runController(cl, env);
                case RENDER -> {
                    Render.Format format = Render.Format.named(cl.extras().getOrDefault("output", "yaml"));
                    PipelineFile file = PipelineFile.read(cl, "render", false);
                    ControllerConfig config = ConfigLoader.load(cl.options(), cl.configFile(), env, false);
                    yield Render.run(
                            file.name(),
                            file.text(),
                            config,
                            format,
                            () -> UUID.randomUUID().toString(),
                            out,
                            err);
                }
                case LINT -> {
                    PipelineFile file = PipelineFile.read(cl, "lint", true);
                    ControllerConfig config = ConfigLoader.load(cl.options(), cl.configFile(), env, false);
                    yield Lint.run(file.name(), file.text(), config, out, err);
                }
            };
        } catch (ConfigException e) {
            err.println("agent-stack-camel: " + e.getMessage());
            return EXIT_USAGE;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
    }

    private static int runController(CommandLine cl, Map<String, String> env) throws InterruptedException {
        if (!cl.arguments().isEmpty()) {
            throw new ConfigException("run takes no arguments, got " + String.join(" ", cl.arguments()));
        }
        ControllerConfig config = ConfigLoader.load(cl.options(), cl.configFile(), env, true, true);
        ManagementPortCheck.requireBindable(Options.MANAGEMENT_PORT, config.managementPort());
        ManagementPortCheck.requireBindable(Options.PROMETHEUS_PORT, config.get(Options.PROMETHEUS_PORT));
        Logging.configure(config.logFormat(), config.logLevel());
        org.slf4j.Logger log = LoggerFactory.getLogger("dev.agentstack.controller");
        config.warnings().forEach(log::warn);
        log.info(
                "agent-stack-camel {} starting: source={} org={} queue={} tags={} cluster={} namespace={} id={}"
                        + " max-in-flight={}",
                Version.get(),
                config.buildkiteApi(),
                config.usesStacksApi() ? "(from the agent token)" : config.org(),
                config.queue(),
                config.tags(),
                config.clustered() ? config.clusterUuid() : "(unclustered)",
                config.namespace(),
                config.id(),
                config.maxInFlight());
        try (Controller controller = new Controller(config, null)) {
            return controller.runUntilStopped(maxSeconds(cl) * 1000);
        }
    }

    private static long maxSeconds(CommandLine cl) {
        String v = cl.extras().get("max-seconds");
        if (v == null) {
            return 0;
        }
        try {
            long s = Long.parseLong(v.trim());
            if (s < 1) {
                throw new NumberFormatException();
            }
            return s;
        } catch (NumberFormatException e) {
            throw new ConfigException(
                    "option --max-seconds: expected a whole number of seconds (1 or more), got \"" + v + "\"");
        }
    }
}
