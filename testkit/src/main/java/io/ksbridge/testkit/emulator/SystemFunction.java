package io.ksbridge.testkit.emulator;

import java.util.List;

/**
 * A {@code SYSTEM$...} function the SQL API answers as {@code SELECT SYSTEM$NAME('arg', ...)}: a mounted service
 * (the high-performance Streaming service's channel offset migration) plugs one in with
 * {@link EmulatorCore#systemFunction}. Arguments are string literals; the answer is one text value.
 */
@FunctionalInterface
public interface SystemFunction {
    /**
     * Runs the function.
     *
     * @param arguments the string literals, unquoted, in order
     * @param database  the statement's database context (may be null)
     * @param schema    the statement's schema context (may be null)
     * @return the function's value (Snowflake's system functions answer JSON text)
     * @throws java.util.NoSuchElementException when an object it names does not exist (a SQL compilation error)
     * @throws IllegalArgumentException         when its arguments are wrong (a SQL compilation error)
     */
    String call(List<String> arguments, String database, String schema);
}
