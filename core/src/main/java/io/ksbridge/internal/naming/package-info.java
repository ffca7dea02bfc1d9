/** Snowflake's Kafka connector naming rules. Internal: reached through {@link io.ksbridge.TableNamer}. */
package io.ksbridge.internal.naming;
