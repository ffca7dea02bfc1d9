package io.ksbridge;

import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;

/** The built-in flush policies. Package-private: reached through {@link FlushPolicy}'s factories. */
final class FlushPolicies {
    private FlushPolicies() {
    }

    record Records(long count) implements FlushPolicy {
        @Override
        public boolean shouldFlush(BufferStats stats) {
            return stats.records() >= count;
        }

        @Override
        public String toString() {
            return "records(" + count + ")";
        }
    }

    record Bytes(long bytes) implements FlushPolicy {
        @Override
        public boolean shouldFlush(BufferStats stats) {
            return stats.bytes() >= bytes;
        }

        @Override
        public OptionalLong byteThreshold() {
            return OptionalLong.of(bytes);
        }

        @Override
        public String toString() {
            return "bytes(" + bytes + ")";
        }
    }

    record Age(Duration age) implements FlushPolicy {
        @Override
        public boolean shouldFlush(BufferStats stats) {
            return stats.age().compareTo(age) >= 0;
        }

        @Override
        public Optional<Duration> ageThreshold() {
            return Optional.of(age);
        }

        @Override
        public String toString() {
            return "age(" + age + ")";
        }
    }

    static OptionalLong min(OptionalLong a, OptionalLong b) {
        if (a.isEmpty()) {
            return b;
        }
        return b.isEmpty() ? a : OptionalLong.of(Math.min(a.getAsLong(), b.getAsLong()));
    }

    static OptionalLong max(OptionalLong a, OptionalLong b) {
        return a.isPresent() && b.isPresent() ? OptionalLong.of(Math.max(a.getAsLong(), b.getAsLong())) : OptionalLong.empty();
    }

    static Optional<Duration> min(Optional<Duration> a, Optional<Duration> b) {
        if (a.isEmpty()) {
            return b;
        }
        return b.isEmpty() ? a : Optional.of(a.get().compareTo(b.get()) <= 0 ? a.get() : b.get());
    }

    static Optional<Duration> max(Optional<Duration> a, Optional<Duration> b) {
        return Optional.of(a.get().compareTo(b.get()) >= 0 ? a.get() : b.get());
    }
}
