package io.ksbridge;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Decides when a partition's buffer becomes a batch for the backend. The policy decides from a
 * {@link BufferStats} snapshot; the engine measures, and checks every non-empty buffer on every loop
 * iteration, so an age trigger fires even when no new record arrives.
 *
 * <p>A policy can only make the engine flush early: the hard limits ({@code maxBufferedBytes},
 * {@code maxRecordBytes}, {@code maxInFlightBatches}) are enforced whatever it says.
 *
 * <p>Implementations must be stateless and thread-safe; they are called on the polling thread.
 */
@FunctionalInterface
public interface FlushPolicy {

    /**
     * Returns true when the buffer should be flushed now.
     *
     * @param stats the buffer, never null, never empty ({@code records() > 0})
     */
    boolean shouldFlush(BufferStats stats);

    /**
     * The smallest buffer size in bytes at which this policy always flushes, if it has one. The builder
     * checks that {@code maxBufferedBytes} is at least this.
     */
    default OptionalLong byteThreshold() {
        return OptionalLong.empty();
    }

    /** The age at which this policy always flushes, if it has one; bounds how long data waits. */
    default Optional<Duration> ageThreshold() {
        return Optional.empty();
    }

    /** A policy that flushes when this one or {@code other} says so. */
    default FlushPolicy or(FlushPolicy other) {
        Objects.requireNonNull(other, "other flush policy must not be null");
        FlushPolicy self = this;
        return new FlushPolicy() {
            @Override
            public boolean shouldFlush(BufferStats stats) {
                return self.shouldFlush(stats) || other.shouldFlush(stats);
            }

            @Override
            public OptionalLong byteThreshold() {
                return FlushPolicies.min(self.byteThreshold(), other.byteThreshold());
            }

            @Override
            public Optional<Duration> ageThreshold() {
                return FlushPolicies.min(self.ageThreshold(), other.ageThreshold());
            }

            @Override
            public String toString() {
                return self + ".or(" + other + ")";
            }
        };
    }

    /** A policy that flushes only when this one and {@code other} both say so. */
    default FlushPolicy and(FlushPolicy other) {
        Objects.requireNonNull(other, "other flush policy must not be null");
        FlushPolicy self = this;
        return new FlushPolicy() {
            @Override
            public boolean shouldFlush(BufferStats stats) {
                return self.shouldFlush(stats) && other.shouldFlush(stats);
            }

            @Override
            public OptionalLong byteThreshold() {
                return FlushPolicies.max(self.byteThreshold(), other.byteThreshold());
            }

            @Override
            public Optional<Duration> ageThreshold() {
                return self.ageThreshold().isPresent() && other.ageThreshold().isPresent()
                        ? FlushPolicies.max(self.ageThreshold(), other.ageThreshold())
                        : Optional.empty();
            }

            @Override
            public String toString() {
                return self + ".and(" + other + ")";
            }
        };
    }

    /**
     * Flush when at least {@code count} records are buffered (the connector's {@code buffer.count.records}).
     *
     * @throws IllegalArgumentException if count &lt; 1
     */
    static FlushPolicy records(long count) {
        if (count < 1) {
            throw new IllegalArgumentException("FlushPolicy.records count must be >= 1, was " + count);
        }
        return new FlushPolicies.Records(count);
    }

    /**
     * Flush when at least {@code bytes} are buffered (the connector's {@code buffer.size.bytes}).
     *
     * @throws IllegalArgumentException if bytes &lt; 1
     */
    static FlushPolicy bytes(long bytes) {
        if (bytes < 1) {
            throw new IllegalArgumentException("FlushPolicy.bytes must be >= 1, was " + bytes);
        }
        return new FlushPolicies.Bytes(bytes);
    }

    /**
     * Flush when the oldest buffered record has waited at least {@code age} (the connector's
     * {@code buffer.flush.time}, which it counts in seconds).
     *
     * @throws IllegalArgumentException if age is negative
     */
    static FlushPolicy age(Duration age) {
        Objects.requireNonNull(age, "FlushPolicy.age must not be null");
        if (age.isNegative()) {
            throw new IllegalArgumentException("FlushPolicy.age must be >= 0, was " + age);
        }
        return new FlushPolicies.Age(age);
    }

    /**
     * The connector's defaults for Snowpipe: 10,000 records, 5,000,000 bytes or 120 seconds, whichever
     * comes first.
     */
    static FlushPolicy connectorDefaults() {
        return records(10_000).or(bytes(5_000_000)).or(age(Duration.ofSeconds(120)));
    }
}
