package dev.agentstack.buildkite;

import dev.agentstack.config.ControllerConfig;
import java.time.Clock;
import java.time.Instant;

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

    public ScheduledJobsQuery(String org, String queue, String clusterNodeId, int pageSize, int depthLimit, Clock clock) {
        this.clock = clock;
        this.org = org;
        this.queue = queue;
        this.clusterNodeId = clusterNodeId == null ? "" : clusterNodeId;
        this.pageSize = pageSize;
        this.depthLimit = depthLimit;
    }

    public static ScheduledJobsQuery of(ControllerConfig config, Clock clock) {
        return new ScheduledJobsQuery(config.org(), config.queue(), config.clusterNodeId(), config.graphqlPageSize(),
                config.paginationDepthLimit(), clock);
    }

    public ScheduledJobsScan startScan() {
        return new ScheduledJobsScan(this, now());
    }

    Instant now() {
        return clock.instant();
    }

    /** Bean-method form for routes: reads one page into the scan. */
    public void addPage(ScheduledJobsScan scan, String body) {
        scan.addPage(body);
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
