package io.ksbridge.transforms.connect;

import io.ksbridge.RecordTransform;
import io.ksbridge.config.TransformProvider;
import java.util.Map;

/**
 * Lets {@link io.ksbridge.config.BridgeConfig} read {@code transforms.<alias>.type=<a Connect Transformation class>}:
 * registered through {@code META-INF/services}. Thread-safe.
 */
public final class ConnectTransformProvider implements TransformProvider {

    @Override
    public boolean supports(String type) {
        return ConnectTransforms.loadable(type);
    }

    @Override
    public RecordTransform create(String alias, Map<String, String> settings) {
        return ConnectTransforms.configured(settings.get("type").trim(), settings);
    }
}
