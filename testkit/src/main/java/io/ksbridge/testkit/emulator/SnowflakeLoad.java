package io.ksbridge.testkit.emulator;

/**
 * One entry of a pipe's load history, as the emulator holds it.
 *
 * @param path         the file's path relative to the pipe's stage location
 * @param status       {@code LOAD_IN_PROGRESS}, {@code LOADED} or {@code LOAD_FAILED}
 * @param rowsInserted rows the load inserted
 * @param firstError   the first error of a failed load, or null
 */
public record SnowflakeLoad(String path, String status, long rowsInserted, String firstError) {
}
