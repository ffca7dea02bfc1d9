package io.ksbridge.testkit.emulator;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An explicit transaction inside one multi-statement SQL API request ({@code BEGIN ... COMMIT | ROLLBACK}), on the
 * thread that runs the request: DML on tracked tables goes into one overlay per table, and a stream consumed by DML
 * moves only when the transaction commits. {@code COMMIT} makes one version per table changed; {@code ROLLBACK}, a
 * failed request or the end of the request with the transaction still open (the session ends) records nothing.
 * Modelled limits: statements inside see the committed rows, not their own earlier writes, and a stream is read at
 * the statement rather than at the transaction's start.
 */
final class RequestTransaction {
    private static final ThreadLocal<RequestTransaction> OPEN = new ThreadLocal<>();

    private final Map<TrackedTable, TrackedTable.Tx> tables = new LinkedHashMap<>();
    private final List<Runnable> onCommit = new ArrayList<>();

    private RequestTransaction() {
    }

    /** {@code BEGIN}: opens a transaction on this thread (a second BEGIN keeps the open one, as Snowflake does). */
    static void begin() {
        if (OPEN.get() == null) {
            OPEN.set(new RequestTransaction());
        }
    }

    /** The open transaction of this thread, or null (autocommit). */
    static RequestTransaction current() {
        return OPEN.get();
    }

    /** The overlay of {@code table} in this transaction. */
    TrackedTable.Tx tx(TrackedTable table, java.util.function.Supplier<TrackedTable.Tx> create) {
        return tables.computeIfAbsent(table, t -> create.get());
    }

    /** Runs {@code action} when the transaction commits (a stream's offset moving). */
    void onCommit(Runnable action) {
        onCommit.add(action);
    }

    /** {@code COMMIT}: each changed table commits its overlay as one version; then the deferred actions run. */
    static void commit() {
        RequestTransaction t = OPEN.get();
        OPEN.remove();
        if (t != null) {
            t.tables.forEach(TrackedTable::commit);
            t.onCommit.forEach(Runnable::run);
        }
    }

    /** {@code ROLLBACK}, a failure, or the request's end: nothing of the transaction is recorded. */
    static void rollback() {
        OPEN.remove();
    }
}
