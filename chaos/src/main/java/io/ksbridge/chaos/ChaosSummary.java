package io.ksbridge.chaos;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The outcome of one chaos run: what was done to the bridges and what was counted afterwards. Immutable.
 *
 * @param options          the run's settings
 * @param records          records produced
 * @param good             good records among them
 * @param invalidJson      poison records with invalid JSON
 * @param oversized        poison records larger than {@code maxRecordBytes}
 * @param kills            SIGKILLs delivered to workers
 * @param unexpectedExits  worker exits the coordinator did not cause (each restarted)
 * @param failed503        emulator requests answered 503 by injection
 * @param droppedResponses emulator responses dropped by injection
 * @param hungRequests     emulator requests held by injection
 * @param requests         emulator requests in all
 * @param caughtUp         whether every partition's committed offset reached its end offset and the stages emptied
 * @param lost             good records in no table
 * @param duplicated       extra copies of good records in their table
 * @param misplaced        rows in a table other than their topic's, or whose metadata names another topic or partition
 * @param poisonInTables   rows of poison records in any table
 * @param foreignRows      rows whose content carries no id of this run
 * @param poisonRouted     distinct poison records in the dead-letter topic
 * @param poisonMissing    poison records not in the dead-letter topic
 * @param goodInDlq        distinct good records in the dead-letter topic
 * @param dlqDuplicates    dead-letter records beyond the first per record (allowed: the dead-letter topic is at
 *                         least once)
 * @param filesLeft        files left on any stage (named or table stage) at the end
 * @param committedAtLastKill records committed by the group when the last kill happened
 * @param invalidations    Streaming channels invalidated by the coordinator
 * @param refusedRegistrations Streaming blob registrations the emulator refused (stale or invalidated channel, or
 *                         injected)
 * @param reopensRefused   reopens of invalidated Streaming channels answered 503 ({@link OpenChannelStalls})
 * @param reopensHung      reopens of invalidated Streaming channels held before being handled
 * @param secretHits       fragments of the private key or passphrase found in logs, messages, toString output and
 *                         dead-letter headers; -1 when not scanned
 * @param scannedChars     characters scanned for secrets
 * @param soakProblems     growth of heap or threads beyond the limits (soak runs), empty otherwise
 * @param details          figures behind the counts: per-worker heap and threads (soak runs), the partitions and
 *                         offsets of duplicates; may be empty
 * @param elapsed          wall-clock time of the run
 * @param logDir           where the worker logs are
 */
public record ChaosSummary(ChaosOptions options, long records, long good, long invalidJson, long oversized, int kills,
                           int unexpectedExits, long failed503, long droppedResponses, long hungRequests, long requests,
                           boolean caughtUp, long lost, long duplicated, long misplaced, long poisonInTables,
                           long foreignRows, long poisonRouted, long poisonMissing, long goodInDlq, long dlqDuplicates,
                           long filesLeft, long committedAtLastKill, int invalidations,
                           long refusedRegistrations, long reopensRefused, long reopensHung, long secretHits, long scannedChars, List<String> soakProblems,
                           List<String> details, Duration elapsed, Path logDir) {

    public ChaosSummary {
        soakProblems = List.copyOf(soakProblems);
        details = List.copyOf(details);
    }

    /** Faults injected in all (503s, dropped responses, hung requests). */
    public long faultsInjected() {
        return failed503 + droppedResponses + hungRequests;
    }

    /** Reopens of invalidated Streaming channels that stalled (answered 503 or held). */
    public long stalledReopens() {
        return reopensRefused + reopensHung;
    }

    /** Every reason the run failed; empty when it passed. */
    public List<String> failures() {
        List<String> f = new ArrayList<>();
        if (!caughtUp) {
            f.add("the bridges did not catch up within " + options.catchUpTimeout());
        }
        if (kills < options.minKills()) {
            f.add("only " + kills + " kills, expected at least " + options.minKills());
        }
        check(f, "lost", lost);
        check(f, "duplicated", duplicated);
        check(f, "misplaced", misplaced);
        check(f, "poison in tables", poisonInTables);
        check(f, "foreign rows", foreignRows);
        check(f, "poison not in the dead-letter topic", poisonMissing);
        check(f, "good records in the dead-letter topic", goodInDlq);
        check(f, "files left on stages", filesLeft);
        check(f, "unexpected worker exits", unexpectedExits);
        if (secretHits > 0) {
            f.add(secretHits + " secret fragments found");
        }
        f.addAll(soakProblems);
        return f;
    }

    private static void check(List<String> f, String what, long n) {
        if (n != 0) {
            f.add(what + ": " + n);
        }
    }

    /** True when nothing was lost, doubled, misplaced or misrouted, and nothing leaked. */
    public boolean passed() {
        return failures().isEmpty();
    }

    /** The summary table, one line per figure. */
    public String table() {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"mode", options.soak() ? "soak " + options.duration() : "chaos"});
        rows.add(new String[] {"records", n(records) + " (good " + n(good) + ", invalid JSON " + n(invalidJson)
                + ", oversized " + n(oversized) + ")"});
        rows.add(new String[] {"topics x partitions", ChaosRunner.TOPICS.size() + " x " + ChaosRunner.PARTITIONS});
        rows.add(new String[] {"workers", options.workers() + " JVMs (" + (options.workers() + 1) / 2 + " own loop, "
                + options.workers() / 2 + " host loop), -Xmx256m, " + options.backend() + " backend"});
        rows.add(new String[] {"private key", options.encryptedKey() ? "encrypted PKCS#8 + passphrase" : "plain PKCS#8"});
        rows.add(new String[] {"kills (SIGKILL)", kills == 0 ? "0" : n(kills) + " (the last with "
                + n(committedAtLastKill) + " records committed)"});
        rows.add(new String[] {"unexpected exits", n(unexpectedExits)});
        rows.add(new String[] {"faults injected", n(faultsInjected()) + " of " + n(requests) + " requests (503: "
                + n(failed503) + ", lost response: " + n(droppedResponses) + ", hung " + options.hang().toMillis()
                + " ms: " + n(hungRequests) + ")"});
        if (options.backend().equals("streaming")) {
            rows.add(new String[] {"channels invalidated", n(invalidations) + " (registrations refused: "
                    + n(refusedRegistrations) + ")"});
            if (options.reopenStallRate() > 0) {
                rows.add(new String[] {"reopens stalled", n(stalledReopens()) + " (503, then the SDK's 3 s retry: "
                        + n(reopensRefused) + ", hung " + options.hang().toMillis() + "-" + options.hang().toMillis() * 2
                        + " ms: " + n(reopensHung) + ")"});
            }
        }
        rows.add(new String[] {"caught up", caughtUp ? "yes" : "NO"});
        rows.add(new String[] {"lost", n(lost)});
        rows.add(new String[] {"duplicated", n(duplicated)});
        rows.add(new String[] {"misplaced (wrong table)", n(misplaced)});
        rows.add(new String[] {"poison in tables", n(poisonInTables)});
        rows.add(new String[] {"poison routed to DLQ", n(poisonRouted) + " of " + n(invalidJson + oversized)});
        rows.add(new String[] {"poison not in DLQ", n(poisonMissing)});
        rows.add(new String[] {"good in DLQ", n(goodInDlq)});
        rows.add(new String[] {"DLQ re-sends (allowed)", n(dlqDuplicates)});
        rows.add(new String[] {"files left on stages", n(filesLeft)});
        rows.add(new String[] {"secret fragments found", secretHits < 0 ? "not scanned" : n(secretHits) + " (in "
                + n(scannedChars) + " chars)"});
        for (String s : details) {
            rows.add(new String[] {"detail", s});
        }
        rows.add(new String[] {"duration", format(elapsed)});
        rows.add(new String[] {"verdict", passed() ? "PASS" : "FAIL: " + String.join("; ", failures())});
        int w = rows.stream().mapToInt(r -> r[0].length()).max().orElse(10);
        StringBuilder sb = new StringBuilder();
        for (String[] r : rows) {
            sb.append(String.format(Locale.ROOT, "| %-" + w + "s | %s%n", r[0], r[1]));
        }
        return sb.toString();
    }

    private static String n(long v) {
        return String.format(Locale.ROOT, "%,d", v);
    }

    private static String format(Duration d) {
        return d.toMinutes() + "m " + d.toSecondsPart() + "s";
    }
}
