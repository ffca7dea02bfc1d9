package io.ksbridge.snowflake;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ksbridge.IngestException;
import io.ksbridge.Secret;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** The fixed and refreshing providers: what they hand out, when they fetch, and that one fetch runs at a time. */
class AccessTokenProviderTest {
    private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");

    /** A clock the test moves. */
    static final class MovingClock extends Clock {
        volatile Instant now = T0;

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }

        void advance(Duration d) {
            now = now.plus(d);
        }
    }

    /** Hands out tok-1, tok-2, ... each living {@code life} from the clock's now. */
    static final class Counting implements Supplier<AccessToken> {
        final AtomicInteger calls = new AtomicInteger();
        final MovingClock clock;
        final Duration life;
        volatile RuntimeException failWith;

        Counting(MovingClock clock, Duration life) {
            this.clock = clock;
            this.life = life;
        }

        @Override
        public AccessToken get() {
            if (failWith != null) {
                throw failWith;
            }
            int n = calls.incrementAndGet();
            return new AccessToken(Secret.of("tok-" + n), clock.instant().plus(life));
        }
    }

    /** Waits (10 s at most) until the condition holds; core cannot use testkit's Await. */
    private static void until(java.util.function.BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not reached in 10 s");
            }
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
        }
    }

    @Test
    void fixed_anyCall_sameTokenWithoutExpiryAndHiddenInToString() {
        AccessTokenProvider p = AccessTokenProvider.fixed(Secret.of("the-fixed-token"));
        AccessToken t = p.token();
        assertEquals("the-fixed-token", t.value().reveal());
        assertEquals(null, t.expiresAt());
        assertSame(t, p.refresh(t));
        assertEquals("AccessTokenProvider.fixed([hidden])", p.toString());
        assertEquals("AccessToken{value=[hidden], expiresAt=null}", t.toString());
        assertEquals("an access token must not be empty", assertThrows(IllegalArgumentException.class,
                () -> AccessTokenProvider.fixed(Secret.of(""))).getMessage());
    }

    @Test
    void refreshing_beforeTheMargin_keepsTheTokenThenFetchesSixtySecondsBeforeExpiry() {
        MovingClock clock = new MovingClock();
        Counting fetch = new Counting(clock, Duration.ofMinutes(10));
        AccessTokenProvider p = AccessTokenProvider.refreshing(fetch, Duration.ofSeconds(60), clock);
        assertEquals("tok-1", p.token().value().reveal());
        clock.advance(Duration.ofSeconds(538)); // 62 s left
        assertEquals("tok-1", p.token().value().reveal());
        assertEquals(1, fetch.calls.get());
        clock.advance(Duration.ofSeconds(2)); // 60 s left: due
        assertEquals("tok-2", p.token().value().reveal());
        assertEquals(T0.plusSeconds(540 + 600), p.token().expiresAt());
        assertEquals(2, fetch.calls.get());
    }

    @Test
    void refreshing_shortLivedToken_refreshedHalfwayThroughItsLife() {
        MovingClock clock = new MovingClock();
        Counting fetch = new Counting(clock, Duration.ofSeconds(20));
        AccessTokenProvider p = AccessTokenProvider.refreshing(fetch, Duration.ofSeconds(60), clock);
        p.token();
        clock.advance(Duration.ofSeconds(9));
        assertEquals("tok-1", p.token().value().reveal());
        clock.advance(Duration.ofSeconds(1));
        assertEquals("tok-2", p.token().value().reveal());
    }

    @Test
    void refreshing_fetchFailsWhileTokenStillValid_goesOnWithItThenFailsOnceExpired() {
        MovingClock clock = new MovingClock();
        Counting fetch = new Counting(clock, Duration.ofMinutes(10));
        AccessTokenProvider p = AccessTokenProvider.refreshing(fetch, Duration.ofSeconds(60), clock);
        p.token();
        fetch.failWith = new IngestException("endpoint down", true);
        clock.advance(Duration.ofSeconds(570)); // 30 s left
        assertEquals("tok-1", p.token().value().reveal());
        clock.advance(Duration.ofSeconds(30)); // expired
        IngestException e = assertThrows(IngestException.class, p::token);
        assertEquals("endpoint down", e.getMessage());
        fetch.failWith = null;
        assertEquals("tok-2", p.token().value().reveal());
    }

    @Test
    void refresh_rejectedCurrentToken_fetchesANewOne_butNotWhenAnotherThreadAlreadyDid() {
        MovingClock clock = new MovingClock();
        Counting fetch = new Counting(clock, Duration.ofMinutes(10));
        AccessTokenProvider p = AccessTokenProvider.refreshing(fetch, Duration.ofSeconds(60), clock);
        AccessToken first = p.token();
        AccessToken second = p.refresh(first);
        assertEquals("tok-2", second.value().reveal());
        // a second caller that was also refused tok-1 gets tok-2, without another fetch
        assertEquals("tok-2", p.refresh(first).value().reveal());
        assertEquals(2, fetch.calls.get());
        assertEquals("tok-3", p.refresh(second).value().reveal());
    }

    @Test
    void refreshing_manyThreadsWithoutAToken_oneFetchAtATime_allGetTheSameToken() throws Exception {
        MovingClock clock = new MovingClock();
        AtomicInteger inFetch = new AtomicInteger();
        AtomicInteger maxInFetch = new AtomicInteger();
        AtomicInteger calls = new AtomicInteger();
        CountDownLatch release = new CountDownLatch(1);
        AccessTokenProvider p = AccessTokenProvider.refreshing(() -> {
            int now = inFetch.incrementAndGet();
            maxInFetch.accumulateAndGet(now, Math::max);
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            inFetch.decrementAndGet();
            return new AccessToken(Secret.of("tok-" + calls.incrementAndGet()), clock.instant().plusSeconds(600));
        }, Duration.ofSeconds(60), clock);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<String>> got = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                got.add(pool.submit(() -> p.token().value().reveal()));
            }
            until(() -> inFetch.get() == 1);
            release.countDown();
            for (Future<String> f : got) {
                assertEquals("tok-1", f.get(10, TimeUnit.SECONDS));
            }
            assertEquals(1, calls.get());
            assertEquals(1, maxInFetch.get());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void refreshing_dueButValid_otherThreadsGoOnWithTheCurrentTokenWhileOneFetches() throws Exception {
        MovingClock clock = new MovingClock();
        AtomicInteger calls = new AtomicInteger();
        CountDownLatch inSecondFetch = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AccessTokenProvider p = AccessTokenProvider.refreshing(() -> {
            int n = calls.incrementAndGet();
            if (n == 2) {
                inSecondFetch.countDown();
                try {
                    release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return new AccessToken(Secret.of("tok-" + n), clock.instant().plusSeconds(600));
        }, Duration.ofSeconds(60), clock);
        p.token();
        clock.advance(Duration.ofSeconds(550));
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<String> refresher = pool.submit(() -> p.token().value().reveal());
            assertTrue(inSecondFetch.await(10, TimeUnit.SECONDS));
            assertEquals("tok-1", p.token().value().reveal(), "not blocked behind the fetch");
            release.countDown();
            assertEquals("tok-2", refresher.get(10, TimeUnit.SECONDS));
            assertEquals("tok-2", p.token().value().reveal());
        } finally {
            pool.shutdownNow();
        }
    }
}
