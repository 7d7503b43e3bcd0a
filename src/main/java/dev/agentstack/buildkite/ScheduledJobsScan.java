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
public final class ScheduledJobsScan {

    private final ScheduledJobsQuery query;
    private final Instant startedAt;
    private Instant fetchedAt;
    private final Map<String, BuildkiteJob> jobs = new LinkedHashMap<>();
    private int pagesRead;
    private boolean hasPreviousPage = true;
    private String cursor;
    private int count;
    private GraphqlRateLimit rateLimit;

    ScheduledJobsScan(ScheduledJobsQuery query, Instant startedAt) {
        this.query = query;
        this.startedAt = startedAt;
        this.fetchedAt = startedAt;
    }

    /**
     * True until the oldest-to-newest walk has no more pages, has read pagination-depth-limit pages, or the last
     * answer said the organization's GraphQL points are nearly spent ({@link GraphqlRateLimit#nearlySpent()}).
     */
    public boolean wantsAnotherPage() {
        return hasPreviousPage && pagesRead < query.depthLimit() && (rateLimit == null || !rateLimit.nearlySpent());
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
        v.put("last", query.pageSize());
        if (cursor != null) {
            v.put("cursor", cursor);
        }
        if (!query.clusterNodeId().isEmpty()) {
            v.put("cluster", query.clusterNodeId());
        }
        return v;
    }

    /** Reads one answer; a GraphQL error, a malformed answer or a missing organization throws. */
    public void addPage(String body) {
        JsonNode organization = GraphqlResponses.data(body).path("organization");
        if (organization.isNull() || organization.isMissingNode()) {
            throw new OrganizationNotFoundException(query.org());
        }
        JsonNode connection = organization.path("jobs");
        if (!connection.isObject()) {
            throw new BuildkiteApiException("malformed_response", "GraphQL answer has no organization.jobs");
        }
        pagesRead++;
        fetchedAt = query.now();
        count = connection.path("count").asInt(count);
        List<BuildkiteJob> page = new ArrayList<>();
        for (JsonNode edge : connection.path("edges")) {
            BuildkiteJob job = toJob(edge.path("node"));
            if (job != null) {
                page.add(job);
            }
        }
        // Pages come oldest first, but each page lists its jobs newest first (the RECENTLY_CREATED order).
        for (int i = page.size() - 1; i >= 0; i--) {
            jobs.putIfAbsent(page.get(i).uuid(), page.get(i)); // a job can shift into a page already read
        }
        JsonNode pageInfo = connection.path("pageInfo");
        hasPreviousPage = pageInfo.path("hasPreviousPage").asBoolean(false);
        String start = pageInfo.path("startCursor").asText(null);
        if (start == null || start.equals(cursor)) {
            hasPreviousPage = false; // no way forward; never loop on the same page
        }
        cursor = start;
    }

    /** Every job the walk saw, oldest first as far as the API's order tells. */
    public List<BuildkiteJob> jobs() {
        return new ArrayList<>(jobs.values());
    }

    /** Higher priority first, then the longest waiting. */
    public static final java.util.Comparator<BuildkiteJob> SCHEDULING_ORDER = java.util.Comparator
            .comparingInt(BuildkiteJob::priority).reversed()
            .thenComparing(BuildkiteJob::scheduledAt,
                    java.util.Comparator.nullsLast(java.util.Comparator.<Instant>naturalOrder()));

    /**
     * The jobs in the order they should take free slots: {@link #SCHEDULING_ORDER}, sorted stably so jobs with equal
     * priority and time keep the API's oldest-first order.
     */
    public List<BuildkiteJob> jobsInSchedulingOrder() {
        List<BuildkiteJob> sorted = jobs();
        sorted.sort(SCHEDULING_ORDER);
        return sorted;
    }

    /** The GraphQL document for this scan's pages. */
    public String document() {
        return query.document();
    }

    /** When the poll started. */
    public Instant startedAt() {
        return startedAt;
    }

    /** When the last page arrived: the age of the data the jobs are created from. */
    public Instant fetchedAt() {
        return fetchedAt;
    }

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
        return new BuildkiteJob(node.path("id").asText(null), uuid, node.path("command").asText(""), rules,
                priority.isNumber() ? priority.asInt() : 0, instant(node.path("scheduledAt").asText(null)), env);
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
