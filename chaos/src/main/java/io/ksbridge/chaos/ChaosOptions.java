package io.ksbridge.chaos;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * The settings of one chaos run. Immutable; build with {@link #defaults()} and the {@code with...} methods, or
 * {@link #parse(String[])} from command-line arguments.
 *
 * @param records          records to produce (good and poison), &gt; 0; in soak mode {@code rate * duration}
 * @param workers          worker JVMs, &ge; 1; even-numbered ones run their own loop, odd-numbered ones a host loop
 * @param minKills         SIGKILLs to deliver at least, &ge; 0 (the run goes on killing until it has)
 * @param faultRate        fraction of emulator requests that fail (half: HTTP 503), lose their response (a quarter)
 *                         or hang for {@code hang} (a quarter); 0 to 0.9
 * @param poisonRate       fraction of records that are poison (half invalid JSON, half oversized); 0 to 0.5
 * @param rate             records produced per second, &gt; 0
 * @param seed             seed of every random choice (records, kills, faults)
 * @param soak             true for a soak run: steady rate for {@code duration}, workers sample heap and threads
 * @param duration         the soak's length (ignored otherwise)
 * @param encryptedKey     true to give workers the key as encrypted PKCS#8 with a passphrase
 * @param killEveryMin     the shortest pause between kills
 * @param killEveryMax     the longest pause between kills
 * @param hang             how long a hung request waits
 * @param catchUpTimeout   how long to wait, after the producer is done, for every offset to be committed and every
 *                         stage to empty
 * @param maxRecordBytes   the workers' {@code maxRecordBytes}; oversized poison is twice this
 * @param maxBufferedBytes the workers' {@code maxBufferedBytes}
 * @param workDir          where worker logs go; null for a new temporary folder
 * @param backend          {@code snowpipe} or {@code streaming}: the backend every worker uses
 * @param invalidateEvery  Streaming only: how often, on average, the coordinator invalidates a random channel
 *                         while kills go on ({@link Duration#ZERO}: never)
 * @param reopenStallRate  Streaming only: the fraction (0..1) of invalidated channels whose reopen stalls: half are
 *                         answered 503 (the SDK waits its fixed 3 s, then retries), half hang between {@code hang} and
 *                         twice {@code hang} ({@link OpenChannelStalls}); 0 for none
 */
public record ChaosOptions(long records, int workers, int minKills, double faultRate, double poisonRate, int rate,
                           long seed, boolean soak, Duration duration, boolean encryptedKey, Duration killEveryMin,
                           Duration killEveryMax, Duration hang, Duration catchUpTimeout, long maxRecordBytes,
                           long maxBufferedBytes, Path workDir, String backend, Duration invalidateEvery,
                           double reopenStallRate) {

    public ChaosOptions {
        if (records <= 0) {
            throw new IllegalArgumentException("records must be > 0, was " + records);
        }
        if (workers < 1) {
            throw new IllegalArgumentException("workers must be >= 1, was " + workers);
        }
        if (minKills < 0) {
            throw new IllegalArgumentException("minKills must be >= 0, was " + minKills);
        }
        if (!(faultRate >= 0 && faultRate <= 0.9)) {
            throw new IllegalArgumentException("faultRate must be between 0 and 0.9, was " + faultRate);
        }
        if (!(poisonRate >= 0 && poisonRate <= 0.5)) {
            throw new IllegalArgumentException("poisonRate must be between 0 and 0.5, was " + poisonRate);
        }
        if (rate <= 0) {
            throw new IllegalArgumentException("rate must be > 0, was " + rate);
        }
        Objects.requireNonNull(duration, "duration must not be null");
        Objects.requireNonNull(killEveryMin, "killEveryMin must not be null");
        Objects.requireNonNull(killEveryMax, "killEveryMax must not be null");
        if (killEveryMax.compareTo(killEveryMin) < 0) {
            throw new IllegalArgumentException("killEveryMax must be >= killEveryMin (" + killEveryMin + "), was " + killEveryMax);
        }
        Objects.requireNonNull(hang, "hang must not be null");
        Objects.requireNonNull(catchUpTimeout, "catchUpTimeout must not be null");
        if (maxRecordBytes < 1024) {
            throw new IllegalArgumentException("maxRecordBytes must be >= 1024, was " + maxRecordBytes);
        }
        if (maxBufferedBytes < 4 * maxRecordBytes) {
            throw new IllegalArgumentException("maxBufferedBytes must be >= 4 * maxRecordBytes, was " + maxBufferedBytes);
        }
        if (!"snowpipe".equals(backend) && !"streaming".equals(backend) && !"streaming-hp".equals(backend)) {
            throw new IllegalArgumentException("backend must be snowpipe, streaming or streaming-hp, was " + backend);
        }
        Objects.requireNonNull(invalidateEvery, "invalidateEvery must not be null");
        if (!(reopenStallRate >= 0 && reopenStallRate <= 1)) {
            throw new IllegalArgumentException("reopenStallRate must be between 0 and 1, was " + reopenStallRate);
        }
    }

    /** The CI-sized run: 60,000 records, 3 workers, at least 5 kills, 5 % faults, 1 % poison, 2,000 records/s. */
    public static ChaosOptions defaults() {
        return new ChaosOptions(60_000, 3, 5, 0.05, 0.01, 2_000, 1, false, Duration.ofMinutes(30), true,
                Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ofMillis(1500), Duration.ofMinutes(3), 16 * 1024,
                32L << 20, null, "snowpipe", Duration.ofSeconds(3), 0);
    }

    /** A copy with another record count. */
    public ChaosOptions withRecords(long n) {
        return copy(v -> v.records = n);
    }

    /** A copy with another kill minimum. */
    public ChaosOptions withMinKills(int n) {
        return copy(v -> v.minKills = n);
    }

    /** A copy with another fault rate. */
    public ChaosOptions withFaultRate(double r) {
        return copy(v -> v.faultRate = r);
    }

    /** A copy with another production rate. */
    public ChaosOptions withRate(int r) {
        return copy(v -> v.rate = r);
    }

    /** A copy that is a soak run of {@code d} (records become {@code rate * d}), without kills. */
    public ChaosOptions withSoak(Duration d) {
        return copy(v -> {
            v.records = Math.max(1, rate * d.toSeconds());
            v.minKills = 0;
            v.soak = true;
            v.duration = d;
        });
    }

    /** A copy whose workers use {@code backend} ({@code snowpipe} or {@code streaming}). */
    public ChaosOptions withBackend(String b) {
        return copy(v -> v.backend = b);
    }

    /** A copy with another seed. */
    public ChaosOptions withSeed(long s) {
        return copy(v -> v.seed = s);
    }

    /** A copy invalidating a random Streaming channel every {@code every} on average ({@link Duration#ZERO}: never). */
    public ChaosOptions withInvalidateEvery(Duration every) {
        return copy(v -> v.invalidateEvery = every);
    }

    /** A copy stalling this fraction of invalidated Streaming channels' reopens (see {@link #reopenStallRate}). */
    public ChaosOptions withReopenStallRate(double r) {
        return copy(v -> v.reopenStallRate = r);
    }

    /** A copy writing worker logs to {@code dir}. */
    public ChaosOptions withWorkDir(Path dir) {
        return copy(v -> v.workDir = dir);
    }

    /** This run's settings with {@code change} applied, checked again by the constructor. */
    private ChaosOptions copy(java.util.function.Consumer<Values> change) {
        Values v = new Values(this);
        change.accept(v);
        return v.build();
    }

    /** The settings as fields, for a copy or the command line to change before a new record is made of them. */
    private static final class Values {
        long records;
        int workers;
        int minKills;
        double faultRate;
        double poisonRate;
        int rate;
        long seed;
        boolean soak;
        Duration duration;
        boolean encryptedKey;
        Duration killEveryMin;
        Duration killEveryMax;
        Duration hang;
        Duration catchUpTimeout;
        long maxRecordBytes;
        long maxBufferedBytes;
        Path workDir;
        String backend;
        Duration invalidateEvery;
        double reopenStallRate;

        Values(ChaosOptions o) {
            records = o.records;
            workers = o.workers;
            minKills = o.minKills;
            faultRate = o.faultRate;
            poisonRate = o.poisonRate;
            rate = o.rate;
            seed = o.seed;
            soak = o.soak;
            duration = o.duration;
            encryptedKey = o.encryptedKey;
            killEveryMin = o.killEveryMin;
            killEveryMax = o.killEveryMax;
            hang = o.hang;
            catchUpTimeout = o.catchUpTimeout;
            maxRecordBytes = o.maxRecordBytes;
            maxBufferedBytes = o.maxBufferedBytes;
            workDir = o.workDir;
            backend = o.backend;
            invalidateEvery = o.invalidateEvery;
            reopenStallRate = o.reopenStallRate;
        }

        ChaosOptions build() {
            return new ChaosOptions(records, workers, minKills, faultRate, poisonRate, rate, seed, soak, duration,
                    encryptedKey, killEveryMin, killEveryMax, hang, catchUpTimeout, maxRecordBytes, maxBufferedBytes,
                    workDir, backend, invalidateEvery, reopenStallRate);
        }
    }

    /**
     * Reads command-line arguments over {@link #defaults()}: {@code --records N --workers N --min-kills N
     * --fault-rate F --poison-rate F --rate N --seed N --soak --duration ISO-8601 --plain-key --kill-every-min ISO
     * --kill-every-max ISO --hang ISO --catch-up-timeout ISO --work-dir PATH --backend snowpipe|streaming --invalidate-every ISO --reopen-stall-rate F}.
     *
     * @throws IllegalArgumentException naming the argument when one is unknown or invalid
     */
    public static ChaosOptions parse(String[] args) {
        Values v = new Values(defaults());
        boolean minKillsGiven = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            try {
                switch (a) {
                    case "--soak" -> v.soak = true;
                    case "--plain-key" -> v.encryptedKey = false;
                    case "--records" -> v.records = Long.parseLong(args[++i].replace("_", ""));
                    case "--workers" -> v.workers = Integer.parseInt(args[++i]);
                    case "--min-kills" -> {
                        v.minKills = Integer.parseInt(args[++i]);
                        minKillsGiven = true;
                    }
                    case "--fault-rate" -> v.faultRate = Double.parseDouble(args[++i]);
                    case "--poison-rate" -> v.poisonRate = Double.parseDouble(args[++i]);
                    case "--rate" -> v.rate = Integer.parseInt(args[++i].replace("_", ""));
                    case "--seed" -> v.seed = Long.parseLong(args[++i]);
                    case "--duration" -> v.duration = Duration.parse(args[++i].toUpperCase(Locale.ROOT));
                    case "--kill-every-min" -> v.killEveryMin = Duration.parse(args[++i].toUpperCase(Locale.ROOT));
                    case "--kill-every-max" -> v.killEveryMax = Duration.parse(args[++i].toUpperCase(Locale.ROOT));
                    case "--hang" -> v.hang = Duration.parse(args[++i].toUpperCase(Locale.ROOT));
                    case "--catch-up-timeout" -> v.catchUpTimeout = Duration.parse(args[++i].toUpperCase(Locale.ROOT));
                    case "--work-dir" -> v.workDir = Path.of(args[++i]);
                    case "--backend" -> v.backend = args[++i].toLowerCase(Locale.ROOT);
                    case "--invalidate-every" -> v.invalidateEvery = Duration.parse(args[++i].toUpperCase(Locale.ROOT));
                    case "--reopen-stall-rate" -> v.reopenStallRate = Double.parseDouble(args[++i]);
                    default -> throw new IllegalArgumentException("unknown argument " + a);
                }
            } catch (ArrayIndexOutOfBoundsException e) {
                throw new IllegalArgumentException("argument " + a + " needs a value");
            } catch (NumberFormatException | java.time.format.DateTimeParseException e) {
                throw new IllegalArgumentException("invalid value for " + a + ": " + e.getMessage());
            }
        }
        if (v.soak) {
            v.records = Math.max(1, v.rate * v.duration.toSeconds());
            if (!minKillsGiven) {
                v.minKills = 0; // a soak measures one process per worker over time: no kills unless asked for
            }
        }
        return v.build();
    }
}
