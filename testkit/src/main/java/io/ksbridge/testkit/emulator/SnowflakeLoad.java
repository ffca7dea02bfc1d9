package io.ksbridge.testkit.emulator;

/**
 * One entry of a pipe's load history, as the emulator holds it.
 *
 * @param path                the file's path relative to the pipe's stage location
 * @param status              {@code LOAD_IN_PROGRESS}, {@code LOADED} or {@code LOAD_FAILED}
 * @param rowsInserted        rows the load inserted
 * @param firstError          the first error of a failed load, or null
 * @param firstErrorLine      the line (from 1) of the first error in the (decompressed) file, or null
 * @param firstErrorCharacter the character position (from 1) of the first error in that line, or null
 */
public record SnowflakeLoad(String path, String status, long rowsInserted, String firstError, Long firstErrorLine,
                            Long firstErrorCharacter) {

    /** An entry without an error position. */
    public SnowflakeLoad(String path, String status, long rowsInserted, String firstError) {
        this(path, status, rowsInserted, firstError, null, null);
    }
}
