package io.ksbridge.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Renders {@code docs/configuration.md}, the reference of every connector-style key {@link BridgeConfig} reads,
 * from {@link BridgeConfig#keys()}: the page cannot drift from the code (a test compares them).
 *
 * <p>Regenerate after changing a key:
 * {@code mvn -B -q -pl core test -Dtest=ConfigReferenceTest -Dksbridge.writeDocs=true}.
 */
public final class ConfigReference {
    private ConfigReference() {
    }

    /** The whole page, Markdown. */
    public static String markdown() {
        StringBuilder b = new StringBuilder();
        b.append("# Configuration reference\n\n");
        b.append("Generated from `io.ksbridge.config.BridgeConfig` by `io.ksbridge.config.ConfigReference`; do not edit ")
                .append("by hand (a test fails when this page and the code disagree).\n\n");
        b.append("`BridgeConfig.from(properties)` reads the Snowflake Kafka connector's property names, so a connector ")
                .append("configuration can be brought as it is. Every key maps onto a typed builder setting; ")
                .append("unknown `snowflake.*` and `buffer.*` keys are errors, each named, so a typo never goes unnoticed.\n\n");
        b.append("| key | type | default | valid values | description |\n");
        b.append("|---|---|---|---|---|\n");
        for (BridgeConfig.Key key : BridgeConfig.keys()) {
            b.append("| `").append(key.name()).append("` | ")
                    .append(key.type().name().toLowerCase(java.util.Locale.ROOT)).append(" | ")
                    .append(key.defaultValue() == null ? "(none)" : cell(key.defaultValue())).append(" | ")
                    .append(cell(key.validValues())).append(" | ")
                    .append(cell(key.doc())).append(" |\n");
        }
        return b.toString();
    }

    private static String cell(String text) {
        return text.replace("|", "\\|").replace("\n", " ");
    }

    /** Writes the page to the file named by the first argument (default {@code docs/configuration.md}). */
    public static void main(String[] args) throws IOException {
        Path out = Path.of(args.length > 0 ? args[0] : "docs/configuration.md");
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, markdown(), StandardCharsets.UTF_8);
        System.out.println("wrote " + out.toAbsolutePath());
    }
}
