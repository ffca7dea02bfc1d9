package io.ksbridge.source;

/** This instance lost the active role (fenced by a newer one, or its election partition revoked). */
final class NotLeader extends RuntimeException {
    private static final long serialVersionUID = 1L;

    NotLeader(String why, Throwable cause) {
        super(why, cause);
    }
}
