package dev.agentstack.buildkite;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.camel.util.json.JsonArray;
import org.apache.camel.util.json.JsonObject;

/**
 * One poll's walk through the pages of scheduled jobs, oldest page first. The route asks {@link #wantsAnotherPage()},
 * sends {@link #nextPageVariables()} with camel-graphql and hands each answer to {@link #addPage(String)}. Holds the
 * state of a single exchange; the shared, stateless part is {@link ScheduledJobsQuery}.
 */
public final class ScheduledJobsScan implements JobPoll {

    private final ScheduledJobsQuery query;
    private final ScanPlan plan;
    private final Instant startedAt;
    private Instant fetchedAt;
    private final Map<String, BuildkiteJob> jobs = new LinkedHashMap<>();
    private int pagesRead;
    private int usefulPagesRead;
    private int usableJobs;
    private final List<PageRead> pages = new ArrayList<>();
    private boolean hasPreviousPage = true;
    private String cursor;
    private int count;
    private GraphqlRateLimit rateLimit;

    ScheduledJobsScan(ScheduledJobsQuery query, ScanPlan plan, Instant startedAt) {
        this.query = query;
        this.plan = plan;
        this.startedAt = startedAt;
        this.fetchedAt = startedAt;
        this.cursor = plan.startCursor();
    }

    /** One page as read: its jobs' uuids, and the cursor a walk past it goes on from. */
    public record PageRead(List<String> uuids, String cursorPast) {}

    /**
     * True until the oldest-to-newest walk has no more pages, has read pagination-depth-limit pages or the plan's
     * useful pages or wanted jobs, or the last answer said the organization's GraphQL points are nearly spent
     * ({@link GraphqlRateLimit#nearlySpent()}); and while a further page stays within the budget.
     */
    public boolean wantsAnotherPage() {
        if (!hasPreviousPage
                || pagesRead >= query.depthLimit()
                || usefulPagesRead >= plan.usefulPages()
                || (plan.wanted() > 0 && usableJobs >= plan.wanted())
                || (rateLimit != null && rateLimit.nearlySpent())) {
            return false;
        }
        // The first page was allowed with the poll itself (PollGate).
        return pagesRead == 0
                || plan.budget() == null
                || plan.budget().allowsPage(ScheduledJobsQuery.mostPointsPerPage(plan.pageSize()));
    }

    /** The rate limit the last answer reported (null when it reported none). */
    public void rateLimit(GraphqlRateLimit latest) {
        rateLimit = latest;
    }

    /** The rate limit the last answer reported, or null. */
    public GraphqlRateLimit rateLimit() {
        return rateLimit;
    }

    /** The GraphQL variables of the next page, as the JsonObject camel-graphql needs (a JSON string is sent as {}). */
    public JsonObject nextPageVariables() {
        JsonObject v = new JsonObject();
        v.put("slug", query.org());
        JsonArray rules = new JsonArray();
        rules.add("queue=" + query.queue());
        v.put("agentQueryRules", rules);
        v.put("last", plan.pageSize());
        if (cursor != null) {
            v.put("cursor", cursor);
        }
        if (!query.clusterNodeId().isEmpty()) {
            v.put("cluster", query.clusterNodeId());
        }
        return v;
    }

    /**
     * Reads one answer and returns the points it cost (its actual complexity); a GraphQL error, a malformed answer or a
     * missing organization throws.
     */
    public int addPage(String body) {
        JsonNode data = GraphqlResponses.data(body);
        JsonNode organization = data.path("organization");
        if (organization.isNull() || organization.isMissingNode()) {
            throw new OrganizationNotFoundException(query.org());
        }
        JsonNode connection = organization.path("jobs");
        if (!connection.isObject()) {
            throw new BuildkiteApiException("malformed_response", "GraphQL answer has no organization.jobs");
        }
        int points = GraphqlCost.of(data);
        pagesRead++;
        fetchedAt = query.now();
        count = connection.path("count").asInt(count);
        List<BuildkiteJob> page = new ArrayList<>();
        String start = null;
        for (JsonNode edge : connection.path("edges")) {
            start = start == null ? edge.path("cursor").asText(null) : start;
            BuildkiteJob job = toJob(edge.path("node"));
            if (job != null) {
                page.add(job);
            }
        }
        int edges = connection.path("edges").size();
        boolean usable = false;
        // Pages come oldest first, but each page lists its jobs newest first (the RECENTLY_CREATED order).
        for (int i = page.size() - 1; i >= 0; i--) {
            if (!plan.ours().test(page.get(i).uuid())) {
                usable = true;
                usableJobs++;
            }
            jobs.putIfAbsent(page.get(i).uuid(), page.get(i)); // a job can shift into a page already read
        }
        if (usable) {
            usefulPagesRead++;
        }
        // No pageInfo is asked for (a point a page): a full page short of the count means there are newer jobs, and
        // the first edge's cursor is where the walk goes on.
        hasPreviousPage = edges == plan.pageSize() && (long) pagesRead * plan.pageSize() < count;
        if (start == null || start.equals(cursor)) {
            hasPreviousPage = false; // no way forward; never loop on the same page
        }
        if (start != null) {
            cursor = start;
            pages.add(new PageRead(page.stream().map(BuildkiteJob::uuid).toList(), start));
        }
        return points;
    }

    /** The pages read, oldest first (empty pages left out). */
    public List<PageRead> pagesInOrder() {
        return pages;
    }

    /** True when the walk reached the newest scheduled job (no page was left unread). */
    public boolean reachedNewest() {
        return !hasPreviousPage;
    }

    /** The plan this poll follows. */
    public ScanPlan plan() {
        return plan;
    }

    /** Every job the walk saw, oldest first as far as the API's order tells. */
    @Override
    public List<BuildkiteJob> jobs() {
        return new ArrayList<>(jobs.values());
    }

    /** Higher priority first, then the longest waiting. */
    public static final java.util.Comparator<BuildkiteJob> SCHEDULING_ORDER = java.util.Comparator.comparingInt(
                    BuildkiteJob::priority)
            .reversed()
            .thenComparing(
                    BuildkiteJob::scheduledAt,
                    java.util.Comparator.nullsLast(java.util.Comparator.<Instant>naturalOrder()));

    /**
     * The jobs in the order they should take free slots: {@link #SCHEDULING_ORDER}, sorted stably so jobs with equal
     * priority and time keep the API's oldest-first order.
     */
    @Override
    public List<BuildkiteJob> jobsInSchedulingOrder() {
        if (plan.probe()) {
            return List.of();
        }
        List<BuildkiteJob> sorted = jobs();
        sorted.sort(SCHEDULING_ORDER);
        return sorted;
    }

    /** The GraphQL document for this scan's pages. */
    public String document() {
        return query.document();
    }

    /** When the poll started. */
    @Override
    public Instant startedAt() {
        return startedAt;
    }

    /** When the last page arrived: the age of the data the jobs are created from. */
    @Override
    public Instant fetchedAt() {
        return fetchedAt;
    }

    @Override
    public int pagesRead() {
        return pagesRead;
    }

    /** The total number of scheduled jobs the API reported for the query. */
    public int totalCount() {
        return count;
    }

    static BuildkiteJob toJob(JsonNode node) {
        String uuid = node.path("uuid").asText(null);
        if (uuid == null || uuid.isEmpty()) {
            return null; // not a command job: the inline fragment selected nothing
        }
        List<String> rules = new ArrayList<>();
        node.path("agentQueryRules").forEach(r -> rules.add(r.asText()));
        List<String> env = new ArrayList<>();
        node.path("env").forEach(e -> env.add(e.asText()));
        JsonNode priority = node.path("priority").path("number");
        return new BuildkiteJob(
                node.path("id").asText(null),
                uuid,
                node.path("command").asText(""),
                rules,
                priority.isNumber() ? priority.asInt() : 0,
                instant(node.path("scheduledAt").asText(null)),
                env);
    }

    private static Instant instant(String text) {
        if (text == null || text.isEmpty()) {
            return null;
        }
        try {
            return java.time.OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
