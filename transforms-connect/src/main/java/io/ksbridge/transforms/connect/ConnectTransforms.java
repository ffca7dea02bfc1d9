package io.ksbridge.transforms.connect;

import io.ksbridge.RecordTransform;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.transforms.Transformation;

/**
 * Kafka Connect single message transforms ({@link Transformation}s) as ksbridge {@link RecordTransform}s, so a
 * connector's existing SMT configuration runs in flight:
 * <pre>{@code
 * RecordTransform mask = ConnectTransforms.configured("org.apache.kafka.connect.transforms.MaskField$Value",
 *         Map.of("fields", "ssn,email"));
 * }</pre>
 * or, through {@link io.ksbridge.config.BridgeConfig}, the connector's own keys
 * ({@code transforms=mask}, {@code transforms.mask.type=org.apache.kafka.connect.transforms.MaskField$Value},
 * {@code transforms.mask.fields=ssn}): this module registers a {@link io.ksbridge.config.TransformProvider} for
 * class names.
 *
 * <p>Each record is handed to the transformation as the connector's {@code JsonConverter} with
 * {@code schemas.enable=false} would: a {@link SinkRecord} with the record's topic, partition, offset and timestamp,
 * key and value as schemaless Java values read from their JSON (objects as {@code Map}, arrays as {@code List},
 * numbers as {@code Integer}/{@code Long}/{@code BigInteger}/{@code BigDecimal}), and the headers as strings. What it
 * returns is written back to JSON: value, key and headers; a null result filters the record out. A change of topic
 * or partition is refused (routing is not a transform's business here), as is a value with a Connect schema or a
 * {@code Struct}. Not thread-safe unless the transformation is: the bridge calls it on its polling thread.
 */
public final class ConnectTransforms {
    private ConnectTransforms() {
    }

    /**
     * Wraps a configured transformation.
     *
     * @param transformation configured already, never null
     * @param name           a name for errors and events, never null
     */
    public static RecordTransform of(Transformation<SinkRecord> transformation, String name) {
        return new ConnectTransform(Objects.requireNonNull(transformation, "transformation must not be null"),
                Objects.requireNonNull(name, "name must not be null"));
    }

    /**
     * Makes and configures a transformation by class name, as the connector does with {@code transforms.<alias>.type}
     * and the alias's other keys.
     *
     * @param className a class implementing {@link Transformation}, with a public no-argument constructor
     * @param config    its settings (the alias's keys without the {@code transforms.<alias>.} prefix)
     * @throws IllegalArgumentException when the class cannot be made or refuses the settings; the message names the
     *                                  class, never a setting's value
     */
    public static RecordTransform configured(String className, Map<String, ?> config) {
        Objects.requireNonNull(className, "className must not be null");
        Class<?> type;
        try {
            type = Class.forName(className, true, classLoader());
        } catch (ClassNotFoundException e) {
            throw new IllegalArgumentException("class " + className + " is not on the class path");
        }
        if (!Transformation.class.isAssignableFrom(type)) {
            throw new IllegalArgumentException("class " + className + " is not a Kafka Connect Transformation");
        }
        Transformation<SinkRecord> t;
        try {
            @SuppressWarnings("unchecked")
            Transformation<SinkRecord> made = (Transformation<SinkRecord>) type.getDeclaredConstructor().newInstance();
            t = made;
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalArgumentException("cannot make " + className + ": " + e.getClass().getSimpleName());
        }
        Map<String, Object> settings = new LinkedHashMap<>(config);
        settings.remove("type");
        try {
            t.configure(settings);
        } catch (RuntimeException e) {
            // Connect's ConfigException messages name the setting and may quote its value: keep the name only
            throw new IllegalArgumentException(className + " refused its settings: " + firstSentence(e));
        }
        String simple = className.substring(className.lastIndexOf('.') + 1);
        return of(t, "connect:" + simple);
    }

    static boolean loadable(String className) {
        try {
            return Transformation.class.isAssignableFrom(Class.forName(className, false, classLoader()));
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    private static ClassLoader classLoader() {
        ClassLoader l = Thread.currentThread().getContextClassLoader();
        return l != null ? l : ConnectTransforms.class.getClassLoader();
    }

    private static String firstSentence(RuntimeException e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        int value = m.indexOf(" for configuration ");
        if (m.startsWith("Invalid value ") && value > 0) {
            return "invalid value for configuration " + m.substring(value + " for configuration ".length());
        }
        return m;
    }
}
