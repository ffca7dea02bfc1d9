package io.ksbridge.testkit;

import io.ksbridge.testkit.emulator.Row;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;

/** Waiting for what a bridge loads, in tests. */
public final class Await {
    private Await() {
    }

    /**
     * Waits until {@code table} of the emulator has at least {@code count} rows and returns them.
     *
     * @param table a qualified name such as {@code DB.PUBLIC.ORDERS}
     * @throws AssertionError when they do not arrive within {@code timeout}, saying how many did
     */
    public static List<Row> rows(SnowflakeEmulator snowflake, String table, int count, Duration timeout)
            throws InterruptedException {
        until(timeout, () -> snowflake.tables().find(table).map(t -> t.rowCount() >= count).orElse(false),
                () -> count + " rows in " + table + ", found " + snowflake.tables().find(table).map(t -> t.rowCount())
                        .orElse(0) + (snowflake.tables().find(table).isPresent() ? "" : " (the table does not exist)"));
        return snowflake.table(table).rows();
    }

    /**
     * Waits until {@code condition} holds, polling every 20 ms.
     *
     * @throws AssertionError {@code "timed out after <timeout> waiting for <what>"} when it does not hold in time
     */
    public static void until(Duration timeout, BooleanSupplier condition, java.util.function.Supplier<String> what)
            throws InterruptedException {
        until(timeout, Duration.ofMillis(20), condition, what);
    }

    /**
     * Waits until {@code condition} holds, polling every 20 ms: {@code Await.until("the stage to empty",
     * Duration.ofSeconds(30), () -> snowflake.stageFiles(stage).isEmpty())}.
     *
     * @param what what is awaited, for the failure message
     * @throws AssertionError {@code "timed out after <timeout> waiting for <what>"} when it does not hold in time
     */
    public static void until(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        until(timeout, condition, () -> what);
    }

    /**
     * Waits until {@code condition} holds, checking it every {@code every}: for conditions costly to check, such as a
     * query to a live Snowflake account.
     *
     * @throws AssertionError {@code "timed out after <timeout> waiting for <what>"} when it does not hold in time
     */
    public static void until(Duration timeout, Duration every, BooleanSupplier condition,
                             java.util.function.Supplier<String> what) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout + " waiting for " + what.get());
            }
            Thread.sleep(every.toMillis());
        }
    }
}
