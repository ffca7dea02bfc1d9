package io.ksbridge.testkit.emulator;

import java.time.Instant;

/**
 * One {@code PUT} the emulator answered for the JDBC driver ({@code uploadStream} sends one per file).
 *
 * @param stage  the stage, resolved ({@code DB.SCHEMA.STAGE})
 * @param prefix the path inside the stage the file goes to, {@code ""} for the stage's root
 * @param source the local path the command named ({@code /tmp/placeholder} for {@code uploadStream})
 * @param at     when it arrived
 */
public record JdbcPut(String stage, String prefix, String source, Instant at) {
}
