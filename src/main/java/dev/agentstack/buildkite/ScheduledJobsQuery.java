package dev.agentstack.buildkite;

import dev.agentstack.config.ControllerConfig;

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

    public ScheduledJobsQuery(String org, String queue, String clusterNodeId, int pageSize, int depthLimit) {
        this.org = org;
        this.queue = queue;
        this.clusterNodeId = clusterNodeId == null ? "" : clusterNodeId;
        this.pageSize = pageSize;
        this.depthLimit = depthLimit;
    }

    public static ScheduledJobsQuery of(ControllerConfig config) {
        return new ScheduledJobsQuery(config.org(), config.queue(), config.clusterNodeId(), config.graphqlPageSize(),
                config.paginationDepthLimit());
    }

    public ScheduledJobsScan startScan() {
        return new ScheduledJobsScan(this);
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
