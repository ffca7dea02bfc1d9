package io.ksbridge.examples.modules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ksbridge.KafkaToSnowflakeBridge;
import io.ksbridge.format.avro.AvroFormat;
import io.ksbridge.format.protobuf.ProtobufFormat;
import io.ksbridge.ingest.snowpipe.SnowpipeBackend;
import io.ksbridge.ingest.streaming.StreamingBackend;
import io.ksbridge.metrics.micrometer.MicrometerMetrics;
import io.ksbridge.testkit.TestBridges;
import java.lang.module.Configuration;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Every published ksbridge jar, as the module system reads it: the modules with a {@code module-info} export their
 * one API package, the others (whose dependencies have no stable module name) carry an
 * {@code Automatic-Module-Name}, and the test kit, on the module path, reaches the engine core exports to it alone.
 * Runs after {@code package}, when the reactor hands out the built jars.
 */
class ModuleNamesIT {

    private static Path jarOf(Class<?> type) {
        try {
            Path p = Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
            assertTrue(p.toString().endsWith(".jar"), type.getName() + " must come from a packaged jar, was " + p);
            return p;
        } catch (URISyntaxException e) {
            throw new AssertionError(e);
        }
    }

    private static ModuleDescriptor descriptorOf(Class<?> type) {
        Set<ModuleReference> all = ModuleFinder.of(jarOf(type)).findAll();
        assertEquals(1, all.size(), jarOf(type).toString());
        return all.iterator().next().descriptor();
    }

    private static void assertExplicit(Class<?> type, String name, String exportedPackage) {
        ModuleDescriptor d = descriptorOf(type);
        assertEquals(name, d.name(), jarOf(type).toString());
        assertFalse(d.isAutomatic(), name + " must carry a module-info");
        assertEquals(Set.of(exportedPackage), d.exports().stream().map(ModuleDescriptor.Exports::source)
                .collect(Collectors.toSet()), name + " exports");
        assertTrue(d.requires().stream().anyMatch(r -> r.name().equals("io.ksbridge")
                && r.modifiers().contains(ModuleDescriptor.Requires.Modifier.TRANSITIVE)), name + " requires " + d.requires());
    }

    private static void assertAutomatic(Class<?> type, String name) {
        ModuleDescriptor d = descriptorOf(type);
        assertTrue(d.isAutomatic(), name + " has no module-info");
        // Without the manifest entry the name would be derived from the file name (ksbridge.testkit, ...).
        assertEquals(name, d.name(), jarOf(type) + ": Automatic-Module-Name");
    }

    @Test
    void moduleInfoJars_haveTheirNameAndExportTheirApiPackage() {
        assertEquals("io.ksbridge", descriptorOf(KafkaToSnowflakeBridge.class).name());
        assertExplicit(AvroFormat.class, "io.ksbridge.format.avro", "io.ksbridge.format.avro");
        assertExplicit(ProtobufFormat.class, "io.ksbridge.format.protobuf", "io.ksbridge.format.protobuf");
        assertExplicit(MicrometerMetrics.class, "io.ksbridge.metrics.micrometer", "io.ksbridge.metrics.micrometer");
    }

    @Test
    void automaticJars_declareAStableName() {
        assertAutomatic(TestBridges.class, "io.ksbridge.testkit");
        assertAutomatic(SnowpipeBackend.class, "io.ksbridge.ingest.snowpipe");
        assertAutomatic(StreamingBackend.class, "io.ksbridge.ingest.streaming");
        assertAutomatic(io.ksbridge.ingest.streaminghp.HighPerformanceStreamingBackend.class, "io.ksbridge.ingest.streaminghp");
        assertAutomatic(io.ksbridge.source.SnowflakeToKafkaBridge.class, "io.ksbridge.source");
    }

    private static List<Path> coreModulePath() {
        return List.of(jarOf(KafkaToSnowflakeBridge.class), jarOf(ConsumerRecords.class), jarOf(JsonFactory.class),
                jarOf(ObjectMapper.class), jarOf(JsonProperty.class), jarOf(LoggerFactory.class));
    }

    private static Object hostLoopBridge(ClassLoader loader) throws Exception {
        Object backend = loader.loadClass("io.ksbridge.testkit.RecordingBackend").getConstructor().newInstance();
        Object builder = loader.loadClass("io.ksbridge.KafkaToSnowflakeBridge").getMethod("builder").invoke(null);
        Class<?> backendType = loader.loadClass("io.ksbridge.ingest.IngestBackend");
        builder.getClass().getMethod("backend", backendType).invoke(builder, backend);
        return builder.getClass().getMethod("build").invoke(builder);
    }

    /** TestBridges.crash from the automatic module io.ksbridge.testkit, through the public abort(): core opens nothing. */
    @Test
    void testkitOnTheModulePath_crashesABridge_coreExportsNoInternalsToIt() throws Exception {
        Path[] path = java.util.stream.Stream.concat(coreModulePath().stream(), java.util.stream.Stream.of(jarOf(TestBridges.class)))
                .toArray(Path[]::new);
        Configuration cf = ModuleLayer.boot().configuration()
                .resolve(ModuleFinder.of(path), ModuleFinder.of(), Set.of("io.ksbridge", "io.ksbridge.testkit"));
        ModuleLayer layer = ModuleLayer.boot().defineModulesWithOneLoader(cf, ClassLoader.getPlatformClassLoader());
        Module core = layer.findModule("io.ksbridge").orElseThrow();
        Module testkit = layer.findModule("io.ksbridge.testkit").orElseThrow();
        assertFalse(core.isExported("io.ksbridge.internal.engine", testkit));
        assertFalse(core.isOpen("io.ksbridge", testkit));
        assertFalse(core.isExported("io.ksbridge.internal.engine"));
        assertFalse(core.isOpen("io.ksbridge"));

        ClassLoader loader = layer.findLoader("io.ksbridge");
        Object bridge = hostLoopBridge(loader);
        java.lang.reflect.Method terminated = bridge.getClass().getMethod("awaitTermination", java.time.Duration.class);
        assertEquals(Boolean.FALSE, terminated.invoke(bridge, java.time.Duration.ZERO), "not stopped before the crash");
        loader.loadClass("io.ksbridge.testkit.TestBridges")
                .getMethod("crash", loader.loadClass("io.ksbridge.KafkaToSnowflakeBridge")).invoke(null, bridge);
        assertEquals(Boolean.TRUE, terminated.invoke(bridge, java.time.Duration.ZERO), "stopped by the crash");
    }

    /** With core on the module path and the test kit on the class path, crash works too: no flags to add. */
    @Test
    void testkitOnTheClassPath_coreOnTheModulePath_crashesABridge() throws Exception {
        Configuration cf = ModuleLayer.boot().configuration()
                .resolve(ModuleFinder.of(coreModulePath().toArray(Path[]::new)), ModuleFinder.of(), Set.of("io.ksbridge"));
        ModuleLayer layer = ModuleLayer.boot().defineModulesWithOneLoader(cf, ClassLoader.getPlatformClassLoader());
        try (URLClassLoader classPath = new URLClassLoader(new URL[] {jarOf(TestBridges.class).toUri().toURL()},
                layer.findLoader("io.ksbridge"))) {
            Object bridge = hostLoopBridge(classPath);
            java.lang.reflect.Method terminated = bridge.getClass().getMethod("awaitTermination", java.time.Duration.class);
            classPath.loadClass("io.ksbridge.testkit.TestBridges")
                    .getMethod("crash", classPath.loadClass("io.ksbridge.KafkaToSnowflakeBridge")).invoke(null, bridge);
            assertEquals(Boolean.TRUE, terminated.invoke(bridge, java.time.Duration.ZERO), "stopped by the crash");
        }
    }
}
