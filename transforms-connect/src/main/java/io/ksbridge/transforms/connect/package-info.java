/**
 * Kafka Connect single message transforms in flight: {@link io.ksbridge.transforms.connect.ConnectTransforms}, and
 * the {@link io.ksbridge.config.TransformProvider} that lets connector-style {@code transforms.*} keys name Connect
 * transformation classes. Core does not depend on Connect; add this module to use them.
 */
package io.ksbridge.transforms.connect;
