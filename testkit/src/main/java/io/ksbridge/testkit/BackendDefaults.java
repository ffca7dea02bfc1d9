package io.ksbridge.testkit;

import io.ksbridge.config.BackendSettings;
import io.ksbridge.config.BridgeConfig;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Checks a backend builder's defaults against {@link BackendSettings}, the one place the backends' settings, their
 * defaults and their ranges are stated (and that {@link BridgeConfig} and {@code docs/configuration.md} follow).
 */
public final class BackendDefaults {
    private BackendDefaults() {
    }

    /**
     * Fails unless every setting {@link BackendSettings} lists for {@code backend} is a component of {@code settings}
     * (what a builder with only its required settings built) holding the listed default, and every other component
     * is one of {@code required}.
     *
     * @param backend  the backend, never null
     * @param settings the built backend's settings record, never null
     * @param required the components set by hand (account, database, ...), not listed in {@link BackendSettings}
     * @throws AssertionError naming every setting that disagrees
     */
    public static void assertDefaults(BridgeConfig.IngestionMethod backend, Record settings, Set<String> required) {
        List<String> wrong = new ArrayList<>();
        Set<String> unlisted = new TreeSet<>();
        for (RecordComponent c : settings.getClass().getRecordComponents()) {
            unlisted.add(c.getName());
        }
        unlisted.removeAll(required);
        for (BackendSettings.Setting s : BackendSettings.all()) {
            if (s.backend() != backend) {
                continue;
            }
            unlisted.remove(s.name());
            Object actual = component(settings, s.name());
            Object expected = s.defaultValue();
            if (actual == null || !(actual.equals(expected) || (actual instanceof Enum<?> e && e.name().equals(expected)))) {
                wrong.add(s.name() + ": the builder's default is " + actual + ", BackendSettings says " + s.defaultText());
            }
        }
        for (String name : unlisted) {
            wrong.add(name + ": a builder setting BackendSettings does not list (no documented default)");
        }
        if (!wrong.isEmpty()) {
            throw new AssertionError(backend + " builder and BackendSettings disagree: " + String.join("; ", wrong));
        }
    }

    private static Object component(Record settings, String name) {
        for (RecordComponent c : settings.getClass().getRecordComponents()) {
            if (c.getName().equals(name)) {
                try {
                    c.getAccessor().setAccessible(true);
                    return c.getAccessor().invoke(settings);
                } catch (ReflectiveOperationException | RuntimeException e) {
                    throw new AssertionError("cannot read " + name + " of " + settings.getClass().getName() + ": " + e, e);
                }
            }
        }
        return null;
    }
}
