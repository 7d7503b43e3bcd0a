package dev.agentstack.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The fake answers like Buildkite's GraphQL API: validated queries, Bearer auth, Relay paging, node ids. */
class FakeBuildkiteTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final FakeBuildkite fake = FakeBuildkite.start("acme", "token-1");
    private final HttpClient http = HttpClient.newHttpClient();

    @AfterEach
    void close() {
        fake.close();
    }

    private HttpResponse<String> post(String token, String query, Map<String, Object> variables) throws Exception {
        String body = JSON.writeValueAsString(Map.of("query", query, "variables", variables));
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(fake.graphqlEndpoint()))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aQueryTheRealApiWouldRejectIsRejected() throws Exception {
        HttpResponse<String> r =
                post("token-1", "{ organization(slug: \"acme\") { id jobs(bogus: 1) { count } } }", Map.of());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(r.body()).path("errors").get(0).path("message").asText())
                .contains("bogus");
        assertThat(fake.rejectedQueries()).hasSize(1);
    }

    @Test
    void aMissingOrWrongTokenIsRefused() throws Exception {
        assertThat(post(null, "{ organization(slug: \"acme\") { id } }", Map.of())
                        .statusCode())
                .isEqualTo(401);
        assertThat(post("wrong", "{ organization(slug: \"acme\") { id } }", Map.of())
                        .statusCode())
                .isEqualTo(401);
    }

    @Test
    void anUnknownOrganizationIsNull() throws Exception {
        JsonNode r = JSON.readTree(post("token-1", "{ organization(slug: \"nope\") { id } }", Map.of())
                .body());
        assertThat(r.path("data").path("organization").isNull()).isTrue();
    }

    @Test
    void pagesBackwardsFromTheOldestJobAsTheRealApiDoes() throws Exception {
        List<String> created = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            created.add(fake.scheduleCommand("job " + i, "queue=kubernetes"));
        }
        fake.scheduleCommand("elsewhere", "queue=other");
        String query = """
                query($cursor: String) { organization(slug: "acme") {
                  jobs(state: [SCHEDULED], agentQueryRules: ["queue=kubernetes"], order: RECENTLY_CREATED, last: 2, \
                before: $cursor) {
                    count edges { node { ... on JobTypeCommand { uuid id } } } \
                pageInfo { hasPreviousPage startCursor } } } }""";
        List<String> seen = new ArrayList<>();
        String cursor = null;
        boolean more = true;
        int pages = 0;
        while (more) {
            Map<String, Object> vars = new java.util.HashMap<>();
            vars.put("cursor", cursor);
            JsonNode jobs = JSON.readTree(post("token-1", query, vars).body())
                    .path("data")
                    .path("organization")
                    .path("jobs");
            assertThat(jobs.path("count").asInt()).isEqualTo(5);
            List<String> page = new ArrayList<>();
            jobs.path("edges").forEach(e -> page.add(e.path("node").path("uuid").asText()));
            java.util.Collections.reverse(page); // each page is newest first
            seen.addAll(page);
            more = jobs.path("pageInfo").path("hasPreviousPage").asBoolean();
            cursor = jobs.path("pageInfo").path("startCursor").asText();
            pages++;
        }
        assertThat(pages).isEqualTo(3);
        assertThat(seen).containsExactlyElementsOf(created);
    }

    @Test
    void aBatchOfScheduledJobsIsSeenWholeOrNotAtAll() throws Exception {
        String query = "{ organization(slug: \"acme\") { id jobs(state: [SCHEDULED], agentQueryRules:"
                + " [\"queue=kubernetes\"], first: 1) { count } } }";
        List<String> commands = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            commands.add("job " + i);
        }
        java.util.concurrent.atomic.AtomicBoolean scheduled = new java.util.concurrent.atomic.AtomicBoolean();
        Thread poller = new Thread(() -> {
            try {
                do {
                    post("token-1", query, Map.of());
                } while (!scheduled.get());
                post("token-1", query, Map.of());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        poller.start();
        org.awaitility.Awaitility.await().until(() -> !fake.jobsReads().isEmpty()); // polling while it is added
        List<String> uuids = fake.scheduleCommands(commands, "queue=kubernetes");
        scheduled.set(true);
        poller.join();

        assertThat(uuids).hasSize(3000).doesNotHaveDuplicates();
        assertThat(fake.jobsReads())
                .extracting(FakeBuildkite.JobsRead::count)
                .containsOnly(0, 3000)
                .endsWith(3000);
        assertThat(fake.jobsReads().get(0).arguments()).containsEntry("first", 1);
    }

    @Test
    void countsAPointPerObjectAnsweredAndRefusesQueriesOnceTheWindowsPointsAreSpent() throws Exception {
        fake.scheduleCommand("job", "queue=kubernetes");
        fake.graphqlRateLimit(100, 10, java.time.Duration.ofMinutes(5));
        String query = "{ organization(slug: \"acme\") { id jobs(state: [SCHEDULED], first: 5) { edges { node {"
                + " ... on JobTypeCommand { uuid priority { number } } } } } } }";

        HttpResponse<String> first = post("token-1", query, Map.of());
        // As Buildkite documents it: organization, jobs, the edges (a point for the list), the node and its priority;
        // scalars are free
        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(first.headers().firstValue("RateLimit-Limit")).hasValue("100");
        assertThat(first.headers().firstValue("RateLimit-Remaining")).hasValue("5");
        assertThat(Long.parseLong(first.headers().firstValue("RateLimit-Reset").orElseThrow()))
                .isBetween(299L, 300L);

        assertThat(post("token-1", query, Map.of()).statusCode()).isEqualTo(200); // spends the last 5
        HttpResponse<String> refused = post("token-1", query, Map.of());
        assertThat(refused.statusCode()).isEqualTo(429);
        assertThat(refused.headers().firstValue("RateLimit-Remaining")).hasValue("0");
        assertThat(fake.graphqlPointsRemaining()).isZero();
    }

    @Test
    void cancellingAJobUsesItsNodeId() throws Exception {
        String uuid = fake.scheduleCommand("echo", "queue=kubernetes");
        String mutation = "mutation($id: ID!) { jobTypeCommandCancel(input: {id: $id}) { jobTypeCommand { state } } }";
        JsonNode r = JSON.readTree(
                post("token-1", mutation, Map.of("id", FakeJob.nodeId(uuid))).body());
        assertThat(r.path("data")
                        .path("jobTypeCommandCancel")
                        .path("jobTypeCommand")
                        .path("state")
                        .asText())
                .isEqualTo("CANCELED");
        assertThat(fake.state(uuid)).isEqualTo("CANCELED");
    }
}
