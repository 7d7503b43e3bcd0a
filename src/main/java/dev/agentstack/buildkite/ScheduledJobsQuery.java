package dev.agentstack.buildkite;

import dev.agentstack.config.ControllerConfig;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;

/**
 * What the scheduled-jobs query asks for: the organization, our queue, the cluster and the page limits. The route
 * starts one {@link ScheduledJobsScan} per poll from it.
 */
public final class ScheduledJobsQuery {

    private final String org;
    private final String queue;
    private final String clusterNodeId;
    private final int pageSize;
    private final int depthLimit;
    private final Clock clock;

    public ScheduledJobsQuery(
            String org, String queue, String clusterNodeId, int pageSize, int depthLimit, Clock clock) {
        this.clock = clock;
        this.org = org;
        this.queue = queue;
        this.clusterNodeId = clusterNodeId == null ? "" : clusterNodeId;
        this.pageSize = pageSize;
        this.depthLimit = depthLimit;
    }

    public static ScheduledJobsQuery of(ControllerConfig config, Clock clock) {
        return new ScheduledJobsQuery(
                config.org(),
                config.queue(),
                config.clusterNodeId(),
                config.graphqlPageSize(),
                config.paginationDepthLimit(),
                clock);
    }

    /**
     * The query as the buildkite-scheduled-jobs-source Kamelet describes it, from its properties.
     *
     * @param clusterUuid empty: jobs outside any cluster
     */
    public static ScheduledJobsQuery forQueue(
            String org, String queue, String clusterUuid, int pageSize, int depthLimit) {
        return new ScheduledJobsQuery(
                org, queue, ControllerConfig.clusterNodeId(clusterUuid), pageSize, depthLimit, Clock.systemUTC());
    }

    /**
     * The GraphQL document to send (the route puts it in the query header): one operation, for jobs in our cluster or,
     * without one, for jobs outside any cluster.
     */
    public String document() {
        return clusterNodeId.isEmpty() ? UNCLUSTERED : CLUSTERED;
    }

    private static final String PAGE_FRAGMENT = resource("graphql/scheduled-jobs-page.graphql");
    private static final String UNCLUSTERED = resource("graphql/scheduled-jobs.graphql") + "\n" + PAGE_FRAGMENT;
    private static final String CLUSTERED = resource("graphql/scheduled-jobs-clustered.graphql") + "\n" + PAGE_FRAGMENT;

    private static String resource(String name) {
        try (java.io.InputStream in = ScheduledJobsQuery.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException(name + " is missing from the classpath");
            }
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** A poll that reads every page up to the depth limit (no plan from the queue). */
    public ScheduledJobsScan startScan() {
        return startScan(ScanPlan.everything(pageSize, depthLimit));
    }

    /** A poll that reads what the queue's plan allows (see PollGate#scanPlan). */
    public ScheduledJobsScan startScan(ScanPlan plan) {
        return new ScheduledJobsScan(this, plan == null ? ScanPlan.everything(pageSize, depthLimit) : plan, now());
    }

    /**
     * The most points a page of {@code jobs} can cost: organization, jobs and edges a point each, and each job's node
     * and priority a point each (graphql/scheduled-jobs-page.graphql).
     */
    public static int mostPointsPerPage(int jobs) {
        return 3 + 2 * jobs;
    }

    Instant now() {
        return clock.instant();
    }

    /**
     * Bean-method form for routes: reads one page, and the rate limit its answer's headers report, into the scan, and
     * charges the page to the plan's budget.
     */
    public void addPage(ScheduledJobsScan scan, String body, Map<String, Object> headers) {
        GraphqlRateLimit rateLimit = GraphqlRateLimit.of(headers);
        int points = scan.addPage(body);
        scan.rateLimit(rateLimit);
        if (scan.plan().budget() != null) {
            scan.plan().budget().spent("poll", points, rateLimit);
        }
    }

    String org() {
        return org;
    }

    String queue() {
        return queue;
    }

    String clusterNodeId() {
        return clusterNodeId;
    }

    int pageSize() {
        return pageSize;
    }

    int depthLimit() {
        return depthLimit;
    }
}
