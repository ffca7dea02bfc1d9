package io.ksbridge.source;

/**
 * A point in the bridge's loop, for tests that kill or pause the bridge exactly there. Production bridges have the
 * no-op hook; the only way to set another is the package-private {@code Builder.hook}.
 */
interface Hook {
    /** The steps of the loop, in order. */
    enum Step {
        /** Before the CTAS that consumes the stream into a batch (or copies the snapshot). */
        BEFORE_CTAS,
        /** After that CTAS, before anything of the batch is sent to Kafka. */
        AFTER_CTAS,
        /** After a chunk's records and position were sent, before the transaction commits. */
        BEFORE_COMMIT,
        /** After a chunk committed, the batch not finished (between chunks). */
        AFTER_COMMIT,
        /** After the batch's last chunk committed, before its table is dropped. */
        BEFORE_DROP,
        /** CHANGES mode: a window (or a page) was read, nothing of it sent yet; {@code seq} is its row count. */
        AFTER_READ
    }

    Hook NONE = (step, table, seq) -> { };

    void at(Step step, String table, long seq);

    /** Thrown by a test's hook to stop the bridge as a crash would: no abort, no clean-up, no goodbye. */
    final class Crash extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Crash(String where) {
            super("simulated crash at " + where);
        }
    }
}
