package io.ksbridge;

/**
 * A {@link RecordTransform} failed on a record. The bridge reports it as a {@link RecordFormatException} whose reason
 * names the transform; the cause is what the transform threw.
 */
public final class TransformException extends BridgeException {
    private static final long serialVersionUID = 1L;

    private final String transform;

    /**
     * @param transform the failing transform's {@linkplain RecordTransform#name() name}, never null
     * @param cause     what it threw, never null
     */
    public TransformException(String transform, Throwable cause) {
        super("transform " + transform + " failed: " + reason(cause), cause);
        this.transform = transform;
    }

    /** The failing transform's name, never null. */
    public String transform() {
        return transform;
    }

    private static String reason(Throwable e) {
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }
}
