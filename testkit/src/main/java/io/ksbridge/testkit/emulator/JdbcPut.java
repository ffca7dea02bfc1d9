package io.ksbridge.testkit.emulator;

import java.time.Instant;

/**
 * One file the JDBC driver {@code PUT} on a stage: recorded when its bytes arrived (cloud-style stages) or when
 * the {@code PUT} was answered ({@code LOCAL_FS} stages).
 *
 * @param stage  the stage, resolved ({@code DB.SCHEMA.STAGE})
 * @param prefix the path inside the stage the file goes to, {@code ""} for the stage's root
 * @param source the local path the command named: for {@code uploadStream}, the file's name on a cloud-style
 *               stage (the driver asks again per file), {@code /tmp/placeholder} on a {@code LOCAL_FS} one
 * @param at     when it arrived
 */
public record JdbcPut(String stage, String prefix, String source, Instant at) {
}
