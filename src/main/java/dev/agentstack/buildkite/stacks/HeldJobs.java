package dev.agentstack.buildkite.stacks;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Jobs Buildkite may hold for this stack that no poll has handed on yet: reserved but their details could not be read,
 * or in a batch-reserve whose answer never came (Buildkite may have reserved them all the same). A reserved job is
 * hidden from the list until its reservation expires, so without this it would wait that long (900s by default) after
 * a single failed call. The next poll reserves them again (which extends a reservation we hold) and reads them, before
 * it takes new jobs; after {@link #MAX_FAILURES} failed calls a job is let go to its reservation's expiry. Jobs handed
 * on that got no Job ({@link #retryLater}) are held too: while the controller counts one as its own (its create may
 * have reached the API server, until a list says otherwise) it waits, up to its reservation's expiry.
 */
final class HeldJobs {

    /** As many tries as the original controller gives get-job. */
    static final int MAX_FAILURES = 5;

    /** @param waitWhileOursUntil for a job handed on that got no Job: how long it may wait while it counts as ours */
    private record Held(ScheduledJobsPage.ScheduledJob job, int failures, Instant waitWhileOursUntil) {
        boolean waitsWhileOurs(Instant now) {
            return waitWhileOursUntil != null && now.isBefore(waitWhileOursUntil);
        }
    }

    private final Map<String, Held> jobs = new LinkedHashMap<>();

    /**
     * Forgets the jobs listed again (their reservation lapsed: the poll's choice sees them anew) and those now ours,
     * except a job handed on that got no Job, which waits while it is ours (see {@link #retryLater}).
     */
    synchronized void forget(Collection<String> listedIds, Predicate<String> ours, Instant now) {
        listedIds.forEach(jobs::remove);
        jobs.values().removeIf(h -> ours.test(h.job().id()) && !h.waitsWhileOurs(now));
    }

    /** The oldest held jobs not counted as ours, at most {@code max} (0 or less: all). */
    synchronized List<ScheduledJobsPage.ScheduledJob> oldest(int max, Predicate<String> ours) {
        return jobs.values().stream()
                .filter(h -> !ours.test(h.job().id()))
                .limit(max > 0 ? max : Long.MAX_VALUE)
                .map(Held::job)
                .toList();
    }

    synchronized boolean contains(String id) {
        return jobs.containsKey(id);
    }

    /** Holds a job for a later poll without counting a failure (e.g. no call was made: rate-limited). */
    synchronized void hold(ScheduledJobsPage.ScheduledJob job) {
        jobs.putIfAbsent(job.id(), new Held(job, 0, null));
    }

    /**
     * A job handed on got no Job: the next poll takes it again once it does not count as ours, and it is let go when
     * {@code reservedUntil} passes (Buildkite offers it again then).
     */
    synchronized void retryLater(ScheduledJobsPage.ScheduledJob job, Instant reservedUntil) {
        jobs.put(job.id(), new Held(job, 0, reservedUntil));
    }

    /**
     * A call for these jobs failed: holds them for a later poll and counts the failure.
     *
     * @return the ids of those out of tries, no longer held
     */
    synchronized List<String> failed(Collection<ScheduledJobsPage.ScheduledJob> failed) {
        List<String> gaveUp = new ArrayList<>();
        for (ScheduledJobsPage.ScheduledJob job : failed) {
            int failures = jobs.containsKey(job.id()) ? jobs.get(job.id()).failures() + 1 : 1;
            if (failures >= MAX_FAILURES) {
                jobs.remove(job.id());
                gaveUp.add(job.id());
            } else {
                jobs.put(job.id(), new Held(job, failures, null));
            }
        }
        return gaveUp;
    }

    /** The job was handed on, or Buildkite holds it for no one or for another stack. */
    synchronized void release(String id) {
        jobs.remove(id);
    }

    synchronized int size() {
        return jobs.size();
    }
}
