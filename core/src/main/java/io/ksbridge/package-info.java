/**
 * ksbridge: load Kafka topics into Snowflake tables from inside your own application.
 *
 * <p>Start at {@link io.ksbridge.KafkaToSnowflakeBridge#builder()}. The rest of this package is the vocabulary the
 * builder takes: {@link io.ksbridge.RecordFormat}, {@link io.ksbridge.TableNamer}, {@link io.ksbridge.FlushPolicy},
 * {@link io.ksbridge.MetadataOptions}, {@link io.ksbridge.ErrorPolicy}, {@link io.ksbridge.RetryPolicy},
 * {@link io.ksbridge.BridgeListener} and its {@link io.ksbridge.BridgeEvents}, {@link io.ksbridge.Secret}, and the
 * {@link io.ksbridge.BridgeException} family. Backends live in their own modules and implement
 * {@link io.ksbridge.ingest.IngestBackend}.
 */
package io.ksbridge;
