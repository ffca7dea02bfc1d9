package io.ksbridge;

import java.util.Objects;

/**
 * A record's key or value could not be turned into a VARIANT. Names the record by topic, partition and
 * offset and says which side failed; never carries the payload bytes.
 */
public class RecordFormatException extends BridgeException {
    private static final long serialVersionUID = 1L;

    /** Which part of the record failed. */
    public enum Side { KEY, VALUE, RECORD }

    private final RecordCoordinates coordinates;
    private final Side side;
    private final String reason;

    public RecordFormatException(RecordCoordinates coordinates, Side side, String reason, Throwable cause) {
        super(message(coordinates, side, reason), cause);
        this.coordinates = Objects.requireNonNull(coordinates, "coordinates");
        this.side = Objects.requireNonNull(side, "side");
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    private static String message(RecordCoordinates at, Side side, String reason) {
        return switch (side) {
            case KEY -> "Cannot convert the key of record " + at + ": " + reason;
            case VALUE -> "Cannot convert the value of record " + at + ": " + reason;
            case RECORD -> "Cannot load record " + at + ": " + reason;
        };
    }

    /** The record that failed, never null. */
    public RecordCoordinates coordinates() {
        return coordinates;
    }

    /** Which side failed, never null. */
    public Side side() {
        return side;
    }

    /** The reason alone, without the coordinates, never null. */
    public String reason() {
        return reason;
    }
}
