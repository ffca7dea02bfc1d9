package io.ksbridge.testkit.emulator;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Fault injection for every request the emulator serves, mounted handlers included: the server asks
 * {@link #decide(String, String)} before handling each request and acts on the answer, so a service mounted with
 * {@link io.ksbridge.testkit.SnowflakeEmulator#mount} gets faults without doing anything.
 *
 * <ul>
 *   <li>{@link #failRate}/{@link #failNext}: answer HTTP 503 without doing the work;</li>
 *   <li>{@link #dropRate}/{@link #dropNext}: do the work, then drop the response (the connection is closed
 *       without an answer), the case where a client cannot know whether its request took effect;</li>
 *   <li>{@link #delay}: answer slowly;</li>
 *   <li>{@link #hangRate}: hold this fraction of requests for a while before handling them (a stalled server);</li>
 *   <li>{@link #holdRequests}: hold every request to some paths before handling it, until
 *       {@link #releaseRequests()} (a latch, for tests that must act while a request is outstanding);</li>
 *   <li>{@link #holdLoads}: Snowpipe leaves submitted files {@code LOAD_IN_PROGRESS} until released (services
 *       with background work read {@link #loadsHeld()}).</li>
 * </ul>
 * {@link #only} limits the request faults to paths starting with given prefixes (default: every path).
 * Thread-safe; settings take effect for the next request.
 */
public final class Faults {
    /** What the server does with one request. */
    public enum Action {
        /** Handle it normally. */
        PROCEED,
        /** Answer 503 Service Unavailable without handling it. */
        FAIL_503,
        /** Handle it, then close the connection without sending the response. */
        DROP_RESPONSE
    }

    /**
     * The decision for one request.
     *
     * @param action what to do
     * @param delay  how long to wait before answering, never null
     */
    public record Decision(Action action, Duration delay) {
        static final Decision PROCEED = new Decision(Action.PROCEED, Duration.ZERO);
    }

    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong hung = new AtomicLong();
    private Random random = new Random(42);
    private double failRate;
    private double dropRate;
    private int failNext;
    private int dropNext;
    private Duration delay = Duration.ZERO;
    private double hangRate;
    private Duration hang = Duration.ZERO;
    private List<String> prefixes = List.of();
    private volatile boolean holdLoads;
    /** Guards {@link #heldPrefixes}; held requests wait on it. */
    private final Object holdLock = new Object();
    private List<String> heldPrefixes = List.of();
    private final AtomicLong held = new AtomicLong();

    /** Answers this fraction of requests (0..1) with 503, at random. Default 0. */
    public synchronized Faults failRate(double rate) {
        this.failRate = checkRate("failRate", rate);
        return this;
    }

    /** Drops the response of this fraction of requests (0..1) after handling them, at random. Default 0. */
    public synchronized Faults dropRate(double rate) {
        this.dropRate = checkRate("dropRate", rate);
        return this;
    }

    /** Answers the next {@code n} requests with 503. */
    public synchronized Faults failNext(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("n must be >= 0, was " + n);
        }
        this.failNext = n;
        return this;
    }

    /** Drops the responses of the next {@code n} requests, after handling them. */
    public synchronized Faults dropNext(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("n must be >= 0, was " + n);
        }
        this.dropNext = n;
        return this;
    }

    /** Delays every answer by {@code delay}. Default zero. */
    public synchronized Faults delay(Duration delay) {
        Objects.requireNonNull(delay, "delay must not be null");
        if (delay.isNegative()) {
            throw new IllegalArgumentException("delay must be >= 0, was " + delay);
        }
        this.delay = delay;
        return this;
    }

    /**
     * Holds this fraction of requests (0..1), at random, for {@code hang} before handling them normally; a hang
     * longer than the client's request timeout makes the client time out. Counted by {@link #hungRequests()}.
     * Default 0.
     */
    public synchronized Faults hangRate(double rate, Duration hang) {
        Objects.requireNonNull(hang, "hang must not be null");
        if (hang.isNegative()) {
            throw new IllegalArgumentException("hang must be >= 0, was " + hang);
        }
        this.hangRate = checkRate("hangRate", rate);
        this.hang = hang;
        return this;
    }

    /** Limits request faults to paths starting with one of the prefixes; no prefixes means every path. */
    public synchronized Faults only(String... pathPrefixes) {
        this.prefixes = List.of(pathPrefixes);
        return this;
    }

    /** Seeds the randomness of {@link #failRate} and {@link #dropRate}. Default seed 42. */
    public synchronized Faults seed(long seed) {
        this.random = new Random(seed);
        return this;
    }

    /** While true, Snowpipe loads stay {@code LOAD_IN_PROGRESS}; set false to let them finish. Default false. */
    public Faults holdLoads(boolean hold) {
        this.holdLoads = hold;
        return this;
    }

    /**
     * Holds every request whose path starts with one of {@code pathPrefixes}, before it is handled (and before
     * other faults apply to it), until {@link #releaseRequests()}. A held request counts as in flight for
     * {@link io.ksbridge.testkit.SnowflakeEmulator#isIdle()}, and by {@link #heldRequests()}. Replaces earlier
     * prefixes.
     *
     * @param pathPrefixes one or more path prefixes, for example {@code /v1/streaming/channels/write/blobs}
     * @throws IllegalArgumentException when none is given
     */
    public Faults holdRequests(String... pathPrefixes) {
        if (pathPrefixes.length == 0) {
            throw new IllegalArgumentException("holdRequests needs at least one path prefix");
        }
        synchronized (holdLock) {
            heldPrefixes = List.of(pathPrefixes);
        }
        return this;
    }

    /** Lets every held request go on, and holds no more. */
    public Faults releaseRequests() {
        synchronized (holdLock) {
            heldPrefixes = List.of();
            holdLock.notifyAll();
        }
        return this;
    }

    /** How many requests {@link #holdRequests} has held so far (released ones included). */
    public long heldRequests() {
        return held.get();
    }

    /**
     * The hold hook: returns at once unless {@link #holdRequests} holds {@code path}, else waits until released.
     * The emulator's server calls it for every request.
     *
     * @param path the request path (no query)
     * @throws InterruptedException when the server stops while the request is held
     */
    public void awaitRelease(String path) throws InterruptedException {
        synchronized (holdLock) {
            boolean counted = false;
            while (heldPrefixes.stream().anyMatch(path::startsWith)) {
                if (!counted) {
                    held.incrementAndGet();
                    counted = true;
                }
                holdLock.wait();
            }
        }
    }

    /** Whether loads are held (see {@link #holdLoads}). */
    public boolean loadsHeld() {
        return holdLoads;
    }

    /** Clears every fault and releases held requests (counters are kept). */
    public synchronized Faults reset() {
        failRate = 0;
        dropRate = 0;
        failNext = 0;
        dropNext = 0;
        delay = Duration.ZERO;
        hangRate = 0;
        hang = Duration.ZERO;
        prefixes = List.of();
        holdLoads = false;
        releaseRequests();
        return this;
    }

    /** How many requests were answered 503 by injection. */
    public long injectedFailures() {
        return failed.get();
    }

    /** How many requests were held by {@link #hangRate}. */
    public long hungRequests() {
        return hung.get();
    }

    /** How many responses were dropped by injection. */
    public long droppedResponses() {
        return dropped.get();
    }

    /**
     * The hook: decides what to do with one request. The emulator's server calls it for every request; a
     * service only calls it itself for work it does outside a request.
     *
     * @param method the HTTP method
     * @param path   the request path (no query)
     * @return the decision, never null
     */
    public synchronized Decision decide(String method, String path) {
        if (!prefixes.isEmpty() && prefixes.stream().noneMatch(path::startsWith)) {
            return Decision.PROCEED;
        }
        Action action = Action.PROCEED;
        if (failNext > 0) {
            failNext--;
            action = Action.FAIL_503;
        } else if (dropNext > 0) {
            dropNext--;
            action = Action.DROP_RESPONSE;
        } else if (failRate > 0 && random.nextDouble() < failRate) {
            action = Action.FAIL_503;
        } else if (dropRate > 0 && random.nextDouble() < dropRate) {
            action = Action.DROP_RESPONSE;
        }
        if (action == Action.FAIL_503) {
            failed.incrementAndGet();
        } else if (action == Action.DROP_RESPONSE) {
            dropped.incrementAndGet();
        }
        Duration wait = delay;
        if (action == Action.PROCEED && hangRate > 0 && random.nextDouble() < hangRate) {
            hung.incrementAndGet();
            wait = wait.plus(hang);
        }
        return action == Action.PROCEED && wait.isZero() ? Decision.PROCEED : new Decision(action, wait);
    }

    private static double checkRate(String name, double rate) {
        if (!(rate >= 0 && rate <= 1)) {
            throw new IllegalArgumentException(name + " must be between 0 and 1, was " + rate);
        }
        return rate;
    }
}
