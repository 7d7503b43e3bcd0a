package dev.agentstack.buildkite.stacks;

import dev.agentstack.buildkite.AgentApi.AgentApiException;
import dev.agentstack.buildkite.BuildkiteJob;
import dev.agentstack.buildkite.JobSourceUnusableException;
import dev.agentstack.buildkite.ScanPlan;
import dev.agentstack.config.Durations;
import dev.agentstack.config.Options;
import dev.agentstack.logging.LogFields;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Service;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Java side of the buildkite-stack-jobs-source Kamelet, for one stack (one cluster queue): registers the stack on
 * the first poll, lists its scheduled jobs page by page ({@link #readPage}), reserves the jobs this poll will start and
 * reads their details ({@link #reserveAndRead}), and deregisters the stack when Camel stops. Holds the cursor a poll
 * goes on from (for query-reset-interval); each poll's own state is a {@link StackJobsScan}.
 */
public final class StackJobsSource implements Service {

    /** How long a shutdown waits for deregister, as the original does. */
    static final Duration DEREGISTER_BOUND = Duration.ofSeconds(5);

    private static final Logger LOG = LoggerFactory.getLogger("dev.agentstack.monitor");

    /** What a poll is for: the stack, its cluster queue, our queue tag and tags, and the option values it obeys. */
    public record Settings(
            String stackKey,
            String queueKey,
            String queue,
            List<String> tags,
            int pageSize,
            int depthLimit,
            int reservationExpirySeconds,
            int workQueueLimit,
            Duration queryResetInterval,
            boolean honourPause) {
        public Settings {
            tags = List.copyOf(tags);
        }
    }

    private final StacksClient client;
    private final Settings settings;
    private final Clock clock;
    private final String logPrefix;
    private final HeldJobs held = new HeldJobs();
    private volatile int detailsConcurrency = Options.DEFAULT_JOB_CREATION_CONCURRENCY;
    private ThreadPoolExecutor readers;
    private volatile boolean registered;
    private boolean pausedBefore;
    /** Where the next poll starts, and since when polls have gone on from earlier ones (null: the first page). */
    private String nextCursor;

    private Instant walkSince;

    public StackJobsSource(StacksClient client, Settings settings, Clock clock) {
        this.client = client;
        this.settings = settings;
        this.clock = clock;
        this.logPrefix = "queue " + settings.queue() + ": ";
    }

    /**
     * For the Kamelet, from its properties.
     *
     * @param queueKey the cluster queue key; empty: the value of the queue tag
     * @param tags     comma-separated key=value agent tags of this controller, with its queue tag
     */
    public static StackJobsSource forKamelet(
            StacksClient client,
            String stackKey,
            String queueKey,
            String tags,
            int pageSize,
            int depthLimit,
            int reservationExpirySeconds,
            int workQueueLimit,
            String queryResetInterval,
            boolean enableQueuePause) {
        List<String> tagList = tags == null
                ? List.of()
                : Arrays.stream(tags.split(","))
                        .map(String::trim)
                        .filter(t -> !t.isEmpty())
                        .toList();
        String queue = tagList.stream()
                .filter(t -> t.startsWith("queue="))
                .map(t -> t.substring("queue=".length()))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("tags must hold a queue tag, got \"" + tags + "\""));
        return new StackJobsSource(
                client,
                new Settings(
                        stackKey,
                        queueKey == null || queueKey.isBlank() ? queue : queueKey,
                        queue,
                        tagList,
                        pageSize,
                        depthLimit,
                        reservationExpirySeconds,
                        workQueueLimit,
                        Durations.parse(queryResetInterval),
                        enableQueuePause),
                Clock.systemUTC());
    }

    /**
     * How long a reservation of this stack lasts. With reservation-expiry-seconds 0 the request omits it and Buildkite
     * applies its documented default, which is also the option's default.
     */
    private int reservationSeconds() {
        return settings.reservationExpirySeconds() > 0
                ? settings.reservationExpirySeconds()
                : Options.DEFAULT_RESERVATION_EXPIRY_SECONDS;
    }

    /**
     * Starts a poll: registers the stack first if it is not (and asks Camel to deregister it when it stops). A
     * registration Buildkite refuses, or an agent token that is not a cluster's, is a
     * {@link JobSourceUnusableException}.
     *
     * @param plan what the poll may start (free slots, which jobs are ours); null: anything
     */
    public StackJobsScan startScan(ScanPlan plan, Exchange exchange) {
        if (!registered) {
            register(exchange == null ? null : exchange.getContext());
        }
        Instant now = clock.instant();
        String from;
        synchronized (this) {
            boolean fresh = walkSince == null || !now.isBefore(walkSince.plus(settings.queryResetInterval()));
            from = fresh ? null : nextCursor;
            if (from == null) {
                walkSince = now;
            }
        }
        return new StackJobsScan(
                plan == null ? ScanPlan.everything(settings.pageSize(), settings.depthLimit()) : plan,
                settings.pageSize(),
                settings.depthLimit(),
                from,
                now,
                job -> held.retryLater(job, clock.instant().plusSeconds(reservationSeconds())));
    }

    private synchronized void register(CamelContext camel) {
        if (registered) {
            return;
        }
        try {
            TokenInfo token = client.token();
            if (!token.isClusterToken()) {
                throw new JobSourceUnusableException("the agent token belongs to no Buildkite cluster; the Stacks API"
                        + " needs a cluster's agent token (BUILDKITE_AGENT_TOKEN or the Secret of agent-token-secret)");
            }
            RegisteredStack stack = client.register(settings.stackKey(), settings.queueKey(), Map.of());
            registered = true;
            LogFields.with(
                    settings.queue(),
                    null,
                    () -> LOG.info(
                            "{}registered stack {} for cluster queue {}" + " (Buildkite Stacks API)",
                            logPrefix,
                            stack.key(),
                            stack.clusterQueueKey()));
        } catch (AgentApiException e) {
            throw new JobSourceUnusableException("cannot register stack \"" + settings.stackKey() + "\" for cluster"
                    + " queue \"" + settings.queueKey() + "\" with the Buildkite Stacks API: " + e.getMessage()
                    + (e.status() == 401
                            ? " (check the agent token: BUILDKITE_AGENT_TOKEN or the Secret of" + " agent-token-secret)"
                            : ""));
        }
        if (camel != null && !camel.hasService(this)) {
            try {
                camel.addService(this, true, false);
            } catch (Exception e) {
                throw new IllegalStateException("cannot hand the stack's shutdown to Camel: " + e.getMessage(), e);
            }
        }
    }

    /**
     * Reads the scan's next page. A 401 or 403 (the token was revoked) is a {@link JobSourceUnusableException}; a 404
     * (Buildkite forgot the stack) registers it again on the next poll; anything else fails this poll only.
     */
    public void readPage(StackJobsScan scan) {
        try {
            ScheduledJobsPage page =
                    client.scheduledJobs(settings.stackKey(), settings.queueKey(), scan.pageSize(), scan.cursor());
            scan.addPage(page, clock.instant());
        } catch (AgentApiException e) {
            forgetCursor();
            if (e.status() == 404) {
                registered = false;
            } else if (e.isPermanent()) {
                throw new JobSourceUnusableException("the Buildkite Stacks API refused to list the jobs of stack \""
                        + settings.stackKey() + "\": " + e.getMessage());
            }
            throw e;
        } catch (RuntimeException e) {
            forgetCursor();
            throw e;
        }
    }

    /**
     * After the pages: unless the queue is paused (and enable-queue-pause is on), chooses the jobs this poll will
     * start: first the jobs an earlier poll reserved but could not hand on ({@link HeldJobs}), then new ones
     * ({@link StackJobChoice}), no more than the free slots; batch-reserves them and reads the details of those
     * reserved, which become the scan's jobs. Jobs Buildkite did not reserve for us are left alone. When an endpoint
     * is rate-limited, the poll stops there and the next waits until it may call it again.
     */
    public void reserveAndRead(StackJobsScan scan) {
        scan.reserving();
        rememberCursor(null);
        ScanPlan plan = scan.plan();
        held.forget(
                scan.listed().stream().map(ScheduledJobsPage.ScheduledJob::id).toList(), plan.ours(), clock.instant());
        if (pauseHolds(scan.paused())) {
            return;
        }
        if (plan.probe()) {
            return;
        }
        List<ScheduledJobsPage.ScheduledJob> retries = held.oldest(plan.wanted(), plan.ours());
        int room = plan.wanted() <= 0 ? Integer.MAX_VALUE : plan.wanted() - retries.size();
        List<ScheduledJobsPage.ScheduledJob> chosen = room <= 0
                ? List.of()
                : StackJobChoice.choose(
                        scan.listed(),
                        settings.tags(),
                        settings.queue(),
                        id -> plan.ours().test(id) || held.contains(id),
                        room == Integer.MAX_VALUE ? 0 : room,
                        settings.workQueueLimit());
        boolean tookAll = chosen.size() < settings.workQueueLimit() && chosen.size() < room;
        if (tookAll && scan.stoppedEarly() && scan.pagesRead() >= settings.depthLimit()) {
            rememberCursor(scan.cursor()); // the pages read hold nothing left to take: the next poll reads on
        }
        List<ScheduledJobsPage.ScheduledJob> toReserve = new ArrayList<>(retries);
        toReserve.addAll(chosen);
        if (toReserve.isEmpty()) {
            return;
        }
        if (!client.isReady(StacksEndpoint.RESERVE)) {
            scan.askWait(Duration.between(clock.instant(), client.readyAt(StacksEndpoint.RESERVE)));
            return;
        }
        Reservation reservation = reserve(toReserve);
        List<ScheduledJobsPage.ScheduledJob> toRead = new ArrayList<>();
        for (ScheduledJobsPage.ScheduledJob job : toReserve) {
            if (reservation.notReserved().contains(job.id())) {
                held.release(job.id()); // another stack's, or no longer scheduled
            } else if (reservation.reserved().contains(job.id())) {
                toRead.add(job);
            } // else its batch failed: held for the next poll
        }
        // Read concurrently, handed on in the chosen order: one at a time, a poll of 25 jobs would wait 25 round trips.
        List<CompletableFuture<StackJob>> reads = new ArrayList<>();
        for (ScheduledJobsPage.ScheduledJob job : toRead) {
            reads.add(CompletableFuture.supplyAsync(() -> readDetails(job), detailReaders()));
        }
        int waiting = 0;
        for (int i = 0; i < toRead.size(); i++) {
            ScheduledJobsPage.ScheduledJob job = toRead.get(i);
            try {
                StackJob details = reads.get(i).join();
                scan.handOn(job, toBuildkiteJob(job, details, settings.queue()), clock.instant());
                held.release(job.id());
            } catch (CompletionException failed) {
                RuntimeException e = failed.getCause() instanceof RuntimeException r ? r : failed;
                if (e instanceof RateLimited) {
                    scan.askWait(Duration.between(clock.instant(), client.readyAt(StacksEndpoint.GET_JOB)));
                    held.hold(job);
                    waiting++;
                    continue;
                }
                boolean gaveUp = !held.failed(List.of(job)).isEmpty();
                LogFields.with(
                        settings.queue(),
                        job.id(),
                        () -> LOG.warn(
                                "{}cannot read the details of reserved job {}: {}; {}",
                                logPrefix,
                                job.id(),
                                e.getMessage(),
                                gaveUp
                                        ? "Buildkite offers it again when the reservation expires"
                                        : "a later poll reads it again"));
            }
        }
        if (waiting > 0) {
            int n = waiting;
            LogFields.with(
                    settings.queue(),
                    null,
                    () -> LOG.info(
                            "{}{} reserved job(s) wait for the get-job rate limit; a later poll reads them",
                            logPrefix,
                            n));
        }
    }

    /** No call was made: get-job is rate-limited until {@link StacksClient#readyAt}. The job waits, no failure. */
    private static final class RateLimited extends RuntimeException {
        RateLimited() {
            super("get-job is rate-limited", null, false, false);
        }
    }

    private StackJob readDetails(ScheduledJobsPage.ScheduledJob job) {
        if (!client.isReady(StacksEndpoint.GET_JOB)) {
            throw new RateLimited();
        }
        return client.job(settings.stackKey(), job.id());
    }

    /**
     * How many job details one poll reads at once (the Kamelet's detailsConcurrency: job-creation-concurrency, as the
     * original controller's workers each read the job they create). At least 1.
     */
    public void setDetailsConcurrency(int readers) {
        this.detailsConcurrency = Math.max(1, readers);
    }

    /** Idle readers stop after 5 s, so between polls that reserve nothing the source holds no threads. */
    private synchronized Executor detailReaders() {
        if (readers == null || readers.getMaximumPoolSize() != detailsConcurrency) {
            AtomicInteger n = new AtomicInteger();
            ThreadFactory named = r -> {
                Thread t = new Thread(r, "stack-job-details-" + settings.queue() + "-" + n.incrementAndGet());
                t.setDaemon(true);
                return t;
            };
            readers = new ThreadPoolExecutor(
                    detailsConcurrency, detailsConcurrency, 5, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), named);
            readers.allowCoreThreadTimeOut(true);
        }
        return readers;
    }

    /**
     * Reserves in batches of at most 1000. A failed batch ends the reservations with what it has; its jobs and the rest
     * are held, as Buildkite may have reserved them before the answer was lost. A failure of the first batch fails the
     * poll.
     *
     * @return the jobs reserved, and those answered as not reserved (or not answered about)
     */
    private Reservation reserve(List<ScheduledJobsPage.ScheduledJob> wanted) {
        List<String> reserved = new ArrayList<>();
        List<String> notReserved = new ArrayList<>();
        for (int from = 0; from < wanted.size(); from += StacksClient.MAX_BATCH) {
            List<ScheduledJobsPage.ScheduledJob> batch =
                    wanted.subList(from, Math.min(wanted.size(), from + StacksClient.MAX_BATCH));
            List<String> ids =
                    batch.stream().map(ScheduledJobsPage.ScheduledJob::id).toList();
            try {
                List<String> answer = client.reserve(settings.stackKey(), ids, settings.reservationExpirySeconds())
                        .reserved();
                reserved.addAll(answer);
                ids.stream().filter(id -> !answer.contains(id)).forEach(notReserved::add);
            } catch (RuntimeException e) {
                held.failed(wanted.subList(from, wanted.size()));
                if (reserved.isEmpty()) {
                    throw e;
                }
                LogFields.with(
                        settings.queue(),
                        null,
                        () -> LOG.warn(
                                "{}batch-reserve failed after {} job(s) were" + " reserved: {}",
                                logPrefix,
                                reserved.size(),
                                e.getMessage()));
                break;
            }
        }
        return new Reservation(reserved, notReserved);
    }

    /** True while a paused queue holds new Jobs back; logs when a pause starts and ends. */
    private synchronized boolean pauseHolds(boolean paused) {
        boolean holds = paused && settings.honourPause();
        if (holds != pausedBefore) {
            LogFields.with(
                    settings.queue(),
                    null,
                    () -> LOG.info(
                            holds
                                    ? "{}cluster queue {} is paused in Buildkite;" + " no new Jobs until it resumes"
                                    : "{}cluster queue {} resumed",
                            logPrefix,
                            settings.queueKey()));
        }
        pausedBefore = holds;
        return holds;
    }

    /**
     * Where the next poll starts: past pages that held nothing this poll left behind (it took every job it could
     * use), so a backlog deeper than pagination-depth-limit pages is reached; null: from the first page.
     */
    private synchronized void rememberCursor(String cursor) {
        nextCursor = cursor;
    }

    private synchronized void forgetCursor() {
        nextCursor = null;
        walkSince = null;
    }

    /**
     * The job model the builder takes, from the list's entry (priority, time, and its rules with our queue tag, see
     * {@link StackJobChoice#rulesFor}) and the job's details (command, env).
     */
    static BuildkiteJob toBuildkiteJob(ScheduledJobsPage.ScheduledJob listed, StackJob details, String queue) {
        List<String> env = new ArrayList<>();
        details.env().forEach((k, v) -> env.add(k + "=" + v));
        return new BuildkiteJob(
                null,
                listed.id(),
                details.command(),
                StackJobChoice.rulesFor(listed.agentQueryRules(), queue),
                listed.priority(),
                listed.scheduledAt(),
                env);
    }

    /** True once the stack is registered (and not since forgotten by Buildkite). */
    public boolean isRegistered() {
        return registered;
    }

    public Settings settings() {
        return settings;
    }

    @Override
    public void start() {
        // registration happens on the first poll, so a failure there goes through the poll gate
    }

    /** Deregisters the stack, within {@link #DEREGISTER_BOUND}; a failure is logged, as shutdown goes on. */
    @Override
    public void stop() {
        if (!registered) {
            return;
        }
        registered = false;
        try {
            client.deregister(settings.stackKey(), DEREGISTER_BOUND);
            LogFields.with(
                    settings.queue(), null, () -> LOG.info("{}deregistered stack {}", logPrefix, settings.stackKey()));
        } catch (RuntimeException e) {
            LogFields.with(
                    settings.queue(),
                    null,
                    () -> LOG.warn("{}cannot deregister stack {}: {}", logPrefix, settings.stackKey(), e.getMessage()));
        }
    }

    @Override
    public String toString() {
        return "StackJobsSource[" + settings.stackKey() + "]"; // never the token
    }
}
