package io.ksbridge.internal.lane;

/** Reading an SDK's exception chains, for both Streaming backends. Internal: exported to those modules only. */
public final class Causes {
    private Causes() {
    }

    /** The first throwable of {@code type} in the chain of {@code e} (8 deep at most), or null. */
    public static <T extends Throwable> T find(Throwable e, Class<T> type) {
        Throwable t = e;
        for (int depth = 0; t != null && depth < 8; depth++) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
            t = t.getCause() == t ? null : t.getCause();
        }
        return null;
    }

    /**
     * The message of {@code e} and of its causes (4 deep), each once, joined by {@code ": "}; the class name when none
     * has a message; cut to {@code maxChars} with {@code ...}.
     */
    public static String describe(Throwable e, int maxChars) {
        StringBuilder sb = new StringBuilder();
        Throwable t = e;
        int depth = 0;
        while (t != null && depth++ < 4) {
            String m = t.getMessage();
            if (m != null && sb.indexOf(m) < 0) {
                if (sb.length() > 0) {
                    sb.append(": ");
                }
                sb.append(m);
            }
            t = t.getCause() == t ? null : t.getCause();
        }
        String s = sb.length() == 0 ? e.getClass().getSimpleName() : sb.toString();
        return s.length() > maxChars ? s.substring(0, maxChars) + "..." : s;
    }
}
