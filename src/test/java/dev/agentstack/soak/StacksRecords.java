package dev.agentstack.soak;

import dev.agentstack.sandbox.FakeStacksApi;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The soak's Stacks API checks, from the fake's records and the API server's: was each stored Job's job reserved by
 * the controller's stack before the Job was first stored (and was that reservation still held then), and was any
 * valid job finished through the Stacks API.
 *
 * @param unreserved    Jobs stored for a job no stack of the controller had reserved before (-1: not checked)
 * @param lapsed        Jobs stored after the job's last reservation by the controller had expired
 * @param finishedValid valid jobs finished through the Stacks API (-1: not checked)
 * @param findings      one line per Job or finish counted above
 */
record StacksRecords(int unreserved, int lapsed, int finishedValid, List<String> findings) {

    static final StacksRecords NOT_USED = new StacksRecords(-1, -1, -1, List.of());

    static StacksRecords check(
            FakeStacksApi stacks, Map<String, List<Long>> storedAt, Map<String, String> validJobOfJobName) {
        Set<String> ourStacks =
                stacks.registeredStacks().stream().map(FakeStacksApi.Stack::key).collect(Collectors.toSet());
        return check(stacks.reservations(), ourStacks, stacks.finishes(), storedAt, validJobOfJobName);
    }

    /**
     * @param storedAt          Job name -> when (epoch ms) the API server stored it, first store first
     * @param validJobOfJobName Job name -> the uuid of the valid job it is for
     */
    static StacksRecords check(
            List<FakeStacksApi.Reservation> reservations,
            Set<String> ourStacks,
            List<FakeStacksApi.Finish> finishes,
            Map<String, List<Long>> storedAt,
            Map<String, String> validJobOfJobName) {
        Map<String, List<FakeStacksApi.Reservation>> byJob = reservations.stream()
                .filter(r -> ourStacks.contains(r.stackKey()))
                .collect(Collectors.groupingBy(FakeStacksApi.Reservation::jobUuid));
        List<String> findings = new ArrayList<>();
        int unreserved = 0;
        int lapsed = 0;
        for (Map.Entry<String, List<Long>> e : storedAt.entrySet()) {
            String uuid = validJobOfJobName.get(e.getKey());
            long first = e.getValue().get(0);
            List<FakeStacksApi.Reservation> before = byJob.getOrDefault(uuid, List.of()).stream()
                    .filter(r -> r.at().toEpochMilli() <= first)
                    .toList();
            if (uuid == null || before.isEmpty()) {
                unreserved++;
                findings.add("soak: Job " + e.getKey() + " was stored without a reservation by our stack first");
            } else if (before.stream().noneMatch(r -> r.until().toEpochMilli() > first)) {
                lapsed++;
                findings.add("soak: Job " + e.getKey() + " was stored after its job's reservation had expired");
            }
        }
        Set<String> valid = Set.copyOf(validJobOfJobName.values());
        int finishedValid = 0;
        for (FakeStacksApi.Finish f : finishes) {
            if (valid.contains(f.jobUuid())) {
                finishedValid++;
                findings.add("soak: valid job " + f.jobUuid() + " was finished: " + f.detail());
            }
        }
        return new StacksRecords(unreserved, lapsed, finishedValid, List.copyOf(findings));
    }
}
