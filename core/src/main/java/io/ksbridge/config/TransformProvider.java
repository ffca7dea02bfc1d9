package io.ksbridge.config;

import io.ksbridge.RecordTransform;
import java.util.Map;

/**
 * Makes {@link RecordTransform}s for {@code transforms.<alias>.type} values that are not ksbridge's own short names:
 * for example Kafka Connect {@code Transformation} classes, which the module {@code ksbridge-transforms-connect}
 * provides. Found with {@link java.util.ServiceLoader} ({@code META-INF/services/io.ksbridge.config.TransformProvider});
 * {@link BridgeConfig} asks each provider in turn. Implementations must be thread-safe and have a public no-argument
 * constructor. The SPI grows by {@code default} methods only.
 */
public interface TransformProvider {

    /** True when this provider makes transforms of {@code type} (a class name, as written in the properties). */
    boolean supports(String type);

    /**
     * Makes the transform for one alias.
     *
     * @param alias    the alias from {@code transforms}, never null
     * @param settings the alias's keys without the {@code transforms.<alias>.} prefix ({@code type} included),
     *                 never null
     * @return the transform, never null
     * @throws IllegalArgumentException when the settings are not valid for the type; its message is reported on
     *                                  {@code transforms.<alias>.type} and must not contain secret values
     */
    RecordTransform create(String alias, Map<String, String> settings);
}
