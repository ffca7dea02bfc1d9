package io.ksbridge.benchmarks.e2e;

/**
 * How the emulator's stages take uploads in one e2e run, the same for every contender so ratios between them stay
 * fair: {@code LOCAL_FS} (the JDBC driver's plain PUT, what ksbridge's Snowpipe backend gets from an account whose
 * stages are internal) or cloud-style (presigned URLs and encrypted uploads, which the connector requires).
 */
enum StageMode {
    LOCAL("LOCAL_FS"),
    CLOUD("cloud-style (encrypted)");

    final String label;

    StageMode(String label) {
        this.label = label;
    }

    static StageMode parse(String arg) {
        return switch (arg) {
            case "local" -> LOCAL;
            case "cloud" -> CLOUD;
            default -> throw new IllegalArgumentException("--stages must be local or cloud, not " + arg);
        };
    }

    /** The explicit choice, else cloud-style only when a connector contender runs; LOCAL_FS with one is refused. */
    static StageMode choose(StageMode explicit, boolean connectorSelected) {
        if (explicit == LOCAL && connectorSelected) {
            throw new IllegalArgumentException("--stages local: Snowflake's connector refuses LOCAL_FS stages;"
                    + " leave it out (--no-connector or --only) or use --stages cloud");
        }
        if (explicit != null) {
            return explicit;
        }
        return connectorSelected ? CLOUD : LOCAL;
    }
}
