package io.ksbridge.peers;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

/**
 * The {@code ServiceLoader} manifests Snowflake's connector jar lacks, written once as a small jar beside it in its
 * plugin folder, so a worker finds its plugins with {@code plugin.discovery=service_load} (KIP-898) instead of
 * scanning every class of the 164 MB jar by reflection: that scan was 12 s of each in-process worker's start and
 * about 38 s of a child JVM's. Kafka's own plugins on the class path (the converters the worker uses) carry their
 * manifests.
 */
final class ServiceManifests {
    /** The plugin folder (under {@code plugin.path}) the build copies the connector into. */
    static final String CONNECTOR_FOLDER = "snowflake-kafka-connector";
    static final String JAR = "ksbridge-service-manifests.jar";
    /** The connector 2.5.0's concrete plugin classes, by the plugin type Connect loads them as. */
    private static final Map<String, List<String>> PLUGINS = Map.of(
            "org.apache.kafka.connect.sink.SinkConnector", List.of("com.snowflake.kafka.connector.SnowflakeSinkConnector"),
            "org.apache.kafka.connect.storage.Converter", List.of(
                    "com.snowflake.kafka.connector.records.SnowflakeJsonConverter",
                    "com.snowflake.kafka.connector.records.SnowflakeAvroConverter",
                    "com.snowflake.kafka.connector.records.SnowflakeAvroConverterWithoutSchemaRegistry"));

    private ServiceManifests() {
    }

    /**
     * Writes the manifest jar into {@code pluginPath}'s connector folder unless it is there; safe when two JVMs (a
     * test and its child worker) do it at once: each writes a file of its own and moves it into place.
     *
     * @throws IllegalStateException naming the folder when it is missing
     */
    static void ensure(Path pluginPath) {
        Path folder = pluginPath.resolve(CONNECTOR_FOLDER);
        if (!Files.isDirectory(folder)) {
            throw new IllegalStateException("no " + CONNECTOR_FOLDER + " plugin folder in " + pluginPath);
        }
        Path jar = folder.resolve(JAR);
        if (Files.exists(jar)) {
            return;
        }
        try {
            Path tmp = Files.createTempFile(folder, ".manifests-", ".tmp");
            Manifest manifest = new Manifest();
            manifest.getMainAttributes().putValue("Manifest-Version", "1.0");
            try (OutputStream out = Files.newOutputStream(tmp); JarOutputStream j = new JarOutputStream(out, manifest)) {
                for (Map.Entry<String, List<String>> e : PLUGINS.entrySet()) {
                    j.putNextEntry(new JarEntry("META-INF/services/" + e.getKey()));
                    j.write((String.join("\n", e.getValue()) + "\n").getBytes(StandardCharsets.UTF_8));
                    j.closeEntry();
                }
            }
            try {
                Files.move(tmp, jar, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, jar, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the connector's service manifests into " + folder, e);
        }
    }
}
