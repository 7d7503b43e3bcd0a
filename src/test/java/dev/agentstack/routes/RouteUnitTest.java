package dev.agentstack.routes;

import dev.agentstack.buildkite.ResponseSizeLimit;
import dev.agentstack.buildkite.stacks.StackJobStates;
import dev.agentstack.buildkite.stacks.StackNotifications;
import dev.agentstack.buildkite.stacks.StacksClient;
import dev.agentstack.config.ControllerConfig;
import dev.agentstack.config.Options;
import dev.agentstack.runtime.ControllerBeans;
import dev.agentstack.runtime.LeaderElection;
import dev.agentstack.tracking.PodNotices;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.camel.builder.AdviceWith;
import org.apache.camel.builder.AdviceWithRouteBuilder;
import org.apache.camel.main.MainConfigurationProperties;
import org.apache.camel.spi.Registry;
import org.apache.camel.test.junit5.CamelContextConfiguration;
import org.apache.camel.test.junit5.TestExecutionConfiguration;
import org.apache.camel.test.main.junit5.CamelMainTestSupport;
import org.apache.camel.util.function.ThrowingConsumer;

/**
 * Some files of {@code routes/}, loaded alone as Camel Main loads them in the controller, with the options' defaults
 * as their properties. Nothing starts until the test has bound the beans the routes call and replaced the routes' edges
 * ({@link #advise}, then {@link #startRoutes}), so a test drives one route's steps without Kubernetes or Buildkite.
 */
abstract class RouteUnitTest extends CamelMainTestSupport {

    /** The route files to load, by name without {@code .camel.yaml}, e.g. {@code cancel-checker}. */
    protected abstract List<String> routeFiles();

    @Override
    protected void configure(MainConfigurationProperties configuration) {
        configuration.withRoutesIncludePattern(routeFiles().stream()
                .map(name -> "classpath:routes/" + name + ".camel.yaml")
                .collect(Collectors.joining(",")));
    }

    @Override
    public void configureTest(TestExecutionConfiguration configuration) {
        super.configureTest(configuration);
        configuration.withUseAdviceWith(true);
    }

    @Override
    public void configureContext(CamelContextConfiguration configuration) {
        super.configureContext(configuration);
        // The GraphQL flow: each route's choice of API is its own step, and the Stacks API's beans are never called.
        configuration.withUseOverridePropertiesWithPropertiesComponent(ControllerBeans.routeProperties(
                ControllerConfig.builder().set(Options.BUILDKITE_API, "graphql").build()));
    }

    /**
     * This replica leads (leader election is off): the routes' only-the-leader steps let everything through. The
     * Stacks API's beans are bound unused.
     */
    @Override
    protected void bindToRegistry(Registry registry) throws Exception {
        registry.bind(
                "leaderElection", LeaderElection.of(ControllerConfig.builder().build(), null, "test"));
        StacksClient unused = StacksClient.of(
                "http://127.0.0.1:1", Duration.ofSeconds(1), "test", new ResponseSizeLimit(1024), () -> "unused");
        StackNotifications notes =
                new StackNotifications(unused, queue -> queue, Clock.systemUTC(), new SimpleMeterRegistry());
        registry.bind("stackNotifications", notes);
        registry.bind("stackJobStates", new StackJobStates(unused, null, uuid -> null));
        registry.bind("podNotices", new PodNotices(null, notes, "kubernetes", Clock.systemUTC()));
    }

    /** Binds a bean a route calls by name, before {@link #startRoutes}. */
    protected void bind(String name, Object bean) {
        context.getRegistry().bind(name, bean);
    }

    /** Changes a route before it starts: typically its {@code from} and its edges by step id. */
    protected void advise(String routeId, ThrowingConsumer<AdviceWithRouteBuilder, Exception> advice) throws Exception {
        AdviceWith.adviceWith(context, routeId, advice);
    }

    protected void startRoutes() {
        context.start();
    }
}
