package io.ksbridge.testkit.emulator;

/**
 * Pipes of Snowpipe Streaming's high-performance architecture ({@code CREATE PIPE p AS COPY INTO t ... FROM TABLE
 * (DATA_SOURCE(TYPE => 'STREAMING'))}): a mounted service takes their definitions with
 * {@link EmulatorCore#streamingPipes}; the SQL API hands it every {@code CREATE PIPE} whose COPY reads that source.
 */
public interface StreamingPipes {
    /**
     * Creates a pipe.
     *
     * @param qualifiedPipe the pipe, {@code DB.SCHEMA.NAME} as {@link Identifiers#qualify} gives it
     * @param copy          its {@code COPY INTO ...} statement
     * @param database      the statement's database context (may be null)
     * @param schema        the statement's schema context (may be null)
     * @param orReplace     {@code CREATE OR REPLACE}
     * @param ifNotExists   {@code IF NOT EXISTS}
     * @return true when created (or replaced), false when it existed and {@code IF NOT EXISTS} was given
     * @throws IllegalArgumentException when the COPY is not one the emulator evaluates, or the pipe exists
     * @throws java.util.NoSuchElementException when its table does not exist
     */
    boolean create(String qualifiedPipe, String copy, String database, String schema, boolean orReplace,
                   boolean ifNotExists);
}
