package io.ksbridge.testkit.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class JwtVerifierMillisTest {
    @Test
    void seconds_millisecondClaimOfTheHighPerformanceSdk_isNormalized() {
        assertEquals(1_764_640_000L, JwtVerifier.seconds(1_764_640_000_123L));
    }

    @Test
    void seconds_secondClaim_isKept() {
        assertEquals(1_764_640_000L, JwtVerifier.seconds(1_764_640_000L));
    }
}
