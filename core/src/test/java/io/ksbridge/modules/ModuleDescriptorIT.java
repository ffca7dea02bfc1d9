package io.ksbridge.modules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.lang.module.Configuration;
import java.lang.module.FindException;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ResolvedModule;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The built ksbridge-core jar, read as the module system reads it: the exported packages are exactly the public
 * API, the engine is exported to the test kit alone, and the module resolves and runs with only its runtime
 * dependencies (kafka-clients, Jackson, slf4j) on the module path.
 */
class ModuleDescriptorIT {
    private static final Set<String> PUBLIC_PACKAGES = Set.of("io.ksbridge", "io.ksbridge.config", "io.ksbridge.format",
            "io.ksbridge.format.registry", "io.ksbridge.ingest", "io.ksbridge.snowflake");

    private static Path coreJar() {
        String jar = System.getProperty("ksbridge.core.jar");
        assertTrue(jar != null && Files.isRegularFile(Path.of(jar)),
                "ksbridge.core.jar must name the packaged jar (run through failsafe, after package): " + jar);
        return Path.of(jar);
    }

    private static ModuleDescriptor descriptor() {
        return ModuleFinder.of(coreJar()).find("io.ksbridge").orElseThrow(
                () -> new AssertionError("no module io.ksbridge in " + coreJar())).descriptor();
    }

    private static Path jarOf(Class<?> type) {
        try {
            return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new AssertionError(e);
        }
    }

    private static List<Path> runtimeDependencies() {
        return List.of(jarOf(ConsumerRecords.class), jarOf(JsonFactory.class), jarOf(ObjectMapper.class),
                jarOf(JsonProperty.class), jarOf(LoggerFactory.class));
    }

    @Test
    void coreJar_isAnExplicitModuleNamedIoKsbridge() {
        ModuleDescriptor d = descriptor();
        assertEquals("io.ksbridge", d.name());
        assertFalse(d.isAutomatic(), "core must carry a module-info, not only a module name");
        assertFalse(d.isOpen(), "core must not be an open module");
    }

    @Test
    void unqualifiedExports_areExactlyThePublicPackages() {
        Set<String> exported = descriptor().exports().stream().filter(e -> !e.isQualified())
                .map(ModuleDescriptor.Exports::source).collect(Collectors.toCollection(TreeSet::new));
        assertEquals(new TreeSet<>(PUBLIC_PACKAGES), exported);
    }

    /**
     * The engine is nobody's to reach (the test kit crashes a bridge through abort()); the two qualified exports are the
     * Streaming lane both Streaming backends share, to those two modules by name, and the schematization, to the three
     * backends by name. Core opens nothing.
     */
    @Test
    void internalPackages_areInTheJarButNeitherExportedNorOpened() {
        ModuleDescriptor d = descriptor();
        Set<String> internal = d.packages().stream().filter(p -> p.startsWith("io.ksbridge.internal"))
                .collect(Collectors.toSet());
        assertTrue(internal.contains("io.ksbridge.internal.engine"), "the engine is in the jar: " + d.packages());
        assertTrue(internal.contains("io.ksbridge.internal.naming"), "naming is in the jar: " + d.packages());
        Map<String, Set<String>> qualified = d.exports().stream().filter(ModuleDescriptor.Exports::isQualified)
                .collect(Collectors.toMap(ModuleDescriptor.Exports::source, ModuleDescriptor.Exports::targets));
        assertEquals(Map.of("io.ksbridge.internal.lane",
                Set.of("io.ksbridge.ingest.streaming", "io.ksbridge.ingest.streaminghp"),
                "io.ksbridge.internal.schema",
                Set.of("io.ksbridge.ingest.snowpipe", "io.ksbridge.ingest.streaming", "io.ksbridge.ingest.streaminghp")),
                qualified);
        assertEquals(Set.of(), d.opens(), "core opens nothing");
    }

    /** A public package added later and not exported would be API nobody on the module path can reach. */
    @Test
    void everyPackageWithAPublicType_isExportedUnlessInternal() throws IOException {
        Set<String> withPublicTypes = new TreeSet<>();
        try (JarFile jar = new JarFile(coreJar().toFile())) {
            for (Enumeration<JarEntry> en = jar.entries(); en.hasMoreElements(); ) {
                String name = en.nextElement().getName();
                if (!name.endsWith(".class") || name.contains("$") || name.endsWith("module-info.class")
                        || name.endsWith("package-info.class")) {
                    continue;
                }
                if (isPublicClass(jar, name)) {
                    withPublicTypes.add(name.substring(0, name.lastIndexOf('/')).replace('/', '.'));
                }
            }
        }
        withPublicTypes.removeIf(p -> p.startsWith("io.ksbridge.internal"));
        assertEquals(new TreeSet<>(PUBLIC_PACKAGES), withPublicTypes);
    }

    private static boolean isPublicClass(JarFile jar, String entry) throws IOException {
        byte[] b = jar.getInputStream(jar.getEntry(entry)).readAllBytes();
        // access_flags follow the constant pool; skip it: magic(4) minor(2) major(2) count(2) then entries
        int pos = 8;
        int count = ((b[pos] & 0xff) << 8) | (b[pos + 1] & 0xff);
        pos += 2;
        for (int i = 1; i < count; i++) {
            int tag = b[pos] & 0xff;
            switch (tag) {
                case 1 -> pos += 3 + (((b[pos + 1] & 0xff) << 8) | (b[pos + 2] & 0xff));
                case 3, 4, 9, 10, 11, 12, 17, 18 -> pos += 5;
                case 5, 6 -> { pos += 9; i++; }
                case 7, 8, 16, 19, 20 -> pos += 3;
                case 15 -> pos += 4;
                default -> throw new AssertionError("unknown constant pool tag " + tag + " in " + entry);
            }
        }
        int access = ((b[pos] & 0xff) << 8) | (b[pos + 1] & 0xff);
        return (access & Modifier.PUBLIC) != 0;
    }

    @Test
    void moduleGraph_resolvesWithKafkaJacksonAndSlf4jOnly() {
        ModuleFinder finder = ModuleFinder.of(Stream.concat(Stream.of(coreJar()), runtimeDependencies().stream())
                .toArray(Path[]::new));
        Configuration cf = ModuleLayer.boot().configuration().resolve(finder, ModuleFinder.of(), Set.of("io.ksbridge"));
        ResolvedModule core = cf.findModule("io.ksbridge").orElseThrow();
        Set<String> reads = core.reads().stream().map(ResolvedModule::name).collect(Collectors.toSet());
        assertTrue(reads.containsAll(Set.of("kafka.clients", "com.fasterxml.jackson.core",
                "com.fasterxml.jackson.databind", "org.slf4j", "java.net.http")), "io.ksbridge reads " + reads);
    }

    @Test
    void moduleGraph_withoutKafkaClients_doesNotResolve() {
        List<Path> noKafka = runtimeDependencies().subList(1, runtimeDependencies().size());
        ModuleFinder finder = ModuleFinder.of(Stream.concat(Stream.of(coreJar()), noKafka.stream()).toArray(Path[]::new));
        FindException e = assertThrows(FindException.class, () -> ModuleLayer.boot().configuration()
                .resolve(finder, ModuleFinder.of(), Set.of("io.ksbridge")));
        assertTrue(e.getMessage().contains("kafka.clients"), e.getMessage());
    }

    /** Loads the bridge's classes in a layer of named modules and runs code from them. */
    @Test
    void moduleLayer_runsTheBuilderAndTheNamer() throws Exception {
        ModuleFinder finder = ModuleFinder.of(Stream.concat(Stream.of(coreJar()), runtimeDependencies().stream())
                .toArray(Path[]::new));
        Configuration cf = ModuleLayer.boot().configuration().resolve(finder, ModuleFinder.of(), Set.of("io.ksbridge"));
        ModuleLayer layer = ModuleLayer.boot().defineModulesWithOneLoader(cf, ClassLoader.getPlatformClassLoader());
        ClassLoader loader = layer.findLoader("io.ksbridge");

        Class<?> namer = loader.loadClass("io.ksbridge.TableNamer");
        assertEquals("io.ksbridge", namer.getModule().getName());
        Object connectorDefault = namer.getMethod("connectorDefault").invoke(null);
        assertEquals("MY_TOPIC_1894580786", namer.getMethod("tableName", String.class).invoke(connectorDefault, "my-topic"));

        Class<?> bridge = loader.loadClass("io.ksbridge.KafkaToSnowflakeBridge");
        Object builder = bridge.getMethod("builder").invoke(null);
        InvocationTargetException e = assertThrows(InvocationTargetException.class,
                () -> builder.getClass().getMethod("build").invoke(builder));
        assertEquals("io.ksbridge.BridgeConfigException", e.getCause().getClass().getName());
        assertInstanceOf(RuntimeException.class, e.getCause());

        Module engine = layer.findModule("io.ksbridge").orElseThrow();
        assertFalse(engine.isExported("io.ksbridge.internal.engine"), "the engine must not be exported to everyone");
        assertTrue(engine.isExported("io.ksbridge.ingest"));
    }
}
