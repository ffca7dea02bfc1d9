package io.ksbridge.chaos;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The chaos gate: one seed is not a proof (issue 17). It runs the chaos run for each backend over several seeds, then
 * a soak per backend, one after the other in this JVM (each run with its own broker, emulator and workers), never
 * stopping at a failed run; it prints every run's verdict, then one table of all runs, and exits with 1 when any run
 * failed (or threw), 0 otherwise.
 *
 * <p>Arguments: {@code --seeds 1,2,3,4,5 --backends snowpipe,streaming --soak PT5M --soak-rate 500 --gate-dir PATH},
 * then any {@link ChaosOptions#parse} arguments for the chaos runs ({@code --records}, {@code --min-kills}, ...).
 * {@code --soak PT0S} leaves the soaks out. The soaks use the same arguments at {@code --soak-rate} records per second,
 * without kills, with the first seed. Run it with the {@code chaos-gate} profile:
 * <pre>
 * mvn -B -Pchaos-gate -DskipTests package -pl chaos -am
 * </pre>
 */
public final class ChaosGate {

    /**
     * The gate's own settings.
     *
     * @param seeds    seeds of the chaos runs, each run for every backend
     * @param backends the backends
     * @param soak     each backend's soak length; zero for no soak
     * @param soakRate the soaks' records per second
     * @param dir      where each run's logs go (a folder per run)
     * @param run      the chaos runs' settings (seed, backend and work folder are set per run)
     */
    record Plan(List<Long> seeds, List<String> backends, Duration soak, int soakRate, Path dir, ChaosOptions run) {
        Plan {
            seeds = List.copyOf(seeds);
            backends = List.copyOf(backends);
            if (seeds.isEmpty()) {
                throw new IllegalArgumentException("--seeds must name at least one seed");
            }
            if (backends.isEmpty()) {
                throw new IllegalArgumentException("--backends must name at least one backend");
            }
            if (soak.isNegative()) {
                throw new IllegalArgumentException("--soak must be >= 0, was " + soak);
            }
            if (soakRate <= 0) {
                throw new IllegalArgumentException("--soak-rate must be > 0, was " + soakRate);
            }
            Objects.requireNonNull(dir, "dir must not be null");
        }

        /** Every run in order: the seeded chaos runs per backend, then the soaks. */
        List<ChaosOptions> runs() {
            List<ChaosOptions> out = new ArrayList<>();
            for (String b : backends) {
                for (long s : seeds) {
                    out.add(run.withBackend(b).withSeed(s).withWorkDir(dir.resolve(b + "-seed-" + s)));
                }
            }
            if (!soak.isZero()) {
                for (String b : backends) {
                    out.add(run.withBackend(b).withSeed(seeds.get(0)).withRate(soakRate).withSoak(soak)
                            .withWorkDir(dir.resolve(b + "-soak")));
                }
            }
            return out;
        }
    }

    /**
     * One row of the gate table.
     *
     * @param backend       the backend
     * @param run           {@code seed N} or {@code soak PT5M}
     * @param records       records produced
     * @param kills         SIGKILLs
     * @param faults        emulator faults injected
     * @param invalidations Streaming channels invalidated
     * @param lost          good records lost
     * @param duplicated    extra copies
     * @param failure       null when the run passed, else why it failed
     * @param elapsed       how long it took
     */
    record Row(String backend, String run, long records, int kills, long faults, int invalidations, long lost,
               long duplicated, String failure, Duration elapsed) {
        boolean passed() {
            return failure == null;
        }

        static Row of(ChaosSummary s) {
            return new Row(s.options().backend(), label(s.options()), s.records(), s.kills(), s.faultsInjected(),
                    s.invalidations(), s.lost(), s.duplicated(), s.passed() ? null : String.join("; ", s.failures()),
                    s.elapsed());
        }

        /** A run that threw instead of reaching a verdict. */
        static Row threw(ChaosOptions o, Throwable t, Duration elapsed) {
            return new Row(o.backend(), label(o), o.records(), 0, 0, 0, -1, -1, "threw " + t, elapsed);
        }

        private static String label(ChaosOptions o) {
            return o.soak() ? "soak " + o.duration() : "seed " + o.seed();
        }
    }

    private ChaosGate() {
    }

    /** Runs the gate (see the class description) and exits with 0 when every run passed, 1 otherwise. */
    public static void main(String[] args) throws Exception {
        Plan plan = parse(args);
        List<ChaosOptions> runs = plan.runs();
        List<Row> rows = new ArrayList<>();
        long started = System.nanoTime();
        for (int i = 0; i < runs.size(); i++) {
            ChaosOptions o = runs.get(i);
            System.out.printf(Locale.ROOT, "%n=== chaos gate run %d of %d: %s %s (%,d records, >= %d kills) ===%n", i + 1,
                    runs.size(), o.backend(), Row.label(o), o.records(), o.minKills());
            long t0 = System.nanoTime();
            try {
                ChaosSummary summary = ChaosRunner.run(o);
                System.out.println(summary.table());
                System.out.println("worker logs: " + summary.logDir());
                rows.add(Row.of(summary));
            } catch (Exception | Error e) {
                e.printStackTrace(System.out);
                rows.add(Row.threw(o, e, Duration.ofNanos(System.nanoTime() - t0)));
            }
            System.out.println(table(rows)); // the table so far: a gate cut short still shows what ran
        }
        boolean passed = rows.stream().allMatch(Row::passed);
        System.out.printf(Locale.ROOT, "%n=== chaos gate: %s, %d runs in %s ===%n%s", passed ? "PASS" : "FAIL", rows.size(),
                minutes(Duration.ofNanos(System.nanoTime() - started)), table(rows));
        System.exit(passed ? 0 : 1);
    }

    /**
     * Reads the gate's arguments; the others go to {@link ChaosOptions#parse}.
     *
     * @throws IllegalArgumentException naming the argument when one is unknown or invalid
     */
    static Plan parse(String[] args) {
        List<Long> seeds = List.of(1L, 2L, 3L, 4L, 5L);
        List<String> backends = List.of("snowpipe", "streaming");
        Duration soak = Duration.ofMinutes(5);
        int soakRate = 500;
        Path dir = Path.of("target", "chaos-gate");
        List<String> rest = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            try {
                switch (a) {
                    case "--seeds" -> seeds = Arrays.stream(args[++i].split(",")).map(String::trim).filter(x -> !x.isEmpty())
                            .map(Long::parseLong).toList();
                    case "--backends" -> backends = Arrays.stream(args[++i].split(",")).map(String::trim)
                            .filter(x -> !x.isEmpty()).map(x -> x.toLowerCase(Locale.ROOT)).toList();
                    case "--soak" -> soak = Duration.parse(args[++i].toUpperCase(Locale.ROOT));
                    case "--soak-rate" -> soakRate = Integer.parseInt(args[++i].replace("_", ""));
                    case "--gate-dir" -> dir = Path.of(args[++i]);
                    case "--work-dir" -> throw new IllegalArgumentException("--work-dir is set per gate run; use --gate-dir");
                    default -> rest.add(a);
                }
            } catch (ArrayIndexOutOfBoundsException e) {
                throw new IllegalArgumentException("argument " + a + " needs a value");
            } catch (NumberFormatException | java.time.format.DateTimeParseException e) {
                throw new IllegalArgumentException("invalid value for " + a + ": " + e.getMessage());
            }
        }
        ChaosOptions run = ChaosOptions.parse(rest.toArray(String[]::new));
        for (String b : backends) {
            run.withBackend(b); // validates the name
        }
        return new Plan(seeds, backends, soak, soakRate, dir, run);
    }

    /** The gate table: one line per run and the verdict. */
    static String table(List<Row> rows) {
        List<String[]> cells = new ArrayList<>();
        cells.add(new String[] {"backend", "run", "records", "kills", "faults", "invalidations", "lost", "duplicated",
            "verdict", "duration"});
        for (Row r : rows) {
            cells.add(new String[] {r.backend(), r.run(), n(r.records()), n(r.kills()), n(r.faults()),
                r.backend().equals("streaming") ? n(r.invalidations()) : "-", r.lost() < 0 ? "?" : n(r.lost()),
                r.duplicated() < 0 ? "?" : n(r.duplicated()), r.passed() ? "PASS" : "FAIL", minutes(r.elapsed())});
        }
        int[] width = new int[cells.get(0).length];
        for (String[] c : cells) {
            for (int i = 0; i < c.length; i++) {
                width[i] = Math.max(width[i], c[i].length());
            }
        }
        StringBuilder sb = new StringBuilder();
        for (int row = 0; row < cells.size(); row++) {
            String[] c = cells.get(row);
            sb.append('|');
            for (int i = 0; i < c.length; i++) {
                boolean text = i < 2 || i == 8;
                sb.append(' ').append(String.format(Locale.ROOT, "%" + (text ? "-" : "") + width[i] + "s", c[i])).append(" |");
            }
            sb.append('\n');
            if (row == 0) {
                sb.append('|');
                for (int w : width) {
                    sb.append("-".repeat(w + 2)).append('|');
                }
                sb.append('\n');
            }
        }
        for (Row r : rows) {
            if (!r.passed()) {
                sb.append("FAIL ").append(r.backend()).append(' ').append(r.run()).append(": ").append(r.failure()).append('\n');
            }
        }
        return sb.toString();
    }

    private static String n(long v) {
        return String.format(Locale.ROOT, "%,d", v);
    }

    private static String minutes(Duration d) {
        return d.toMinutes() + "m " + d.toSecondsPart() + "s";
    }
}
