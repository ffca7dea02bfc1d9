package io.ksbridge.spring.boot;

import io.ksbridge.BridgeConfigException;
import io.ksbridge.ErrorPolicy;
import io.ksbridge.FlushPolicy;
import io.ksbridge.KafkaToSnowflakeBridge;
import io.ksbridge.MetadataOptions;
import io.ksbridge.Secret;
import io.ksbridge.TableNamer;
import io.ksbridge.snowflake.SnowflakeAccount;
import java.util.Map;
import java.util.regex.Pattern;

/** Maps the {@code ksbridge.*} properties onto the typed builders. Stateless. */
final class KsbridgeBridges {
    private KsbridgeBridges() {
    }

    /** The account of {@code ksbridge.snowflake.*}. The key and passphrase become {@link Secret}s. */
    static SnowflakeAccount account(KsbridgeProperties.Snowflake p) {
        SnowflakeAccount.Builder b = SnowflakeAccount.builder();
        if (p.getUrl() != null) {
            b.url(p.getUrl());
        }
        if (p.isAllowInsecureHttp()) {
            b.allowInsecureHttp();
        }
        if (p.getUser() != null) {
            b.user(p.getUser());
        }
        if (p.getRole() != null) {
            b.role(p.getRole());
        }
        if (p.getWarehouse() != null) {
            b.warehouse(p.getWarehouse());
        }
        if (p.getPrivateKey() != null) {
            b.privateKey(Secret.of(p.getPrivateKey()));
        }
        if (p.getPrivateKeyPassphrase() != null && !p.getPrivateKeyPassphrase().isEmpty()) {
            b.passphrase(Secret.of(p.getPrivateKeyPassphrase()));
        }
        return b.build();
    }

    static String required(String value, String property) {
        if (value == null || value.isBlank()) {
            throw new BridgeConfigException(property, null, "required by the auto-configured backend");
        }
        return value;
    }

    /** A builder with every bridge property applied; format, namer, backend and listener are the caller's. */
    static KafkaToSnowflakeBridge.Builder builder(KsbridgeProperties p) {
        KafkaToSnowflakeBridge.Builder b = KafkaToSnowflakeBridge.builder().name(p.getName());
        if (!p.getTopics().isEmpty()) {
            b.topics(p.getTopics());
        }
        if (p.getTopicPattern() != null && !p.getTopicPattern().isBlank()) {
            b.topicPattern(Pattern.compile(p.getTopicPattern()));
        }
        boolean ownLoop = !p.getTopics().isEmpty() || (p.getTopicPattern() != null && !p.getTopicPattern().isBlank());
        if (ownLoop && !p.getConsumer().isEmpty()) {
            b.consumerProperties(p.getConsumer()); // a host-loop bridge's consumer is the listener container's
        }
        KsbridgeProperties.Flush f = p.getFlush();
        b.flushPolicy(FlushPolicy.records(f.getRecords()).or(FlushPolicy.bytes(f.getBytes().toBytes()))
                .or(FlushPolicy.age(f.getAge())));
        b.errorPolicy(errorPolicy(p.getErrors(), ownLoop ? Map.of() : p.getConsumer()));
        b.nullValues(p.getNullValues());
        b.metadata(metadata(p.getMetadata()));
        b.maxBufferedBytes(p.getMaxBufferedBytes().toBytes());
        if (p.getMaxRecordBytes() != null) {
            b.maxRecordBytes(p.getMaxRecordBytes().toBytes());
        }
        b.maxInFlightBatches(p.getMaxInFlightBatches());
        b.pollTimeout(p.getPollTimeout());
        b.commitInterval(p.getCommitInterval());
        b.closeTimeout(p.getCloseTimeout());
        if (!p.getTableOverrides().isEmpty()) {
            b.tableNamer(TableNamer.connectorDefault().withOverrides(p.getTableOverrides()));
        }
        return b;
    }

    /** With {@code hostConsumer} set (host loop), the dead-letter producer reaches the same brokers. */
    static ErrorPolicy errorPolicy(KsbridgeProperties.Errors e, Map<String, String> hostConsumer) {
        return switch (e.getTolerance()) {
            case FAIL_FAST -> ErrorPolicy.failFast();
            case SKIP -> ErrorPolicy.skip();
            case DEAD_LETTER -> {
                String topic = required(e.getDeadLetterTopic(), "ksbridge.errors.dead-letter-topic");
                String servers = hostConsumer.get("bootstrap.servers");
                yield servers == null ? ErrorPolicy.deadLetter(topic)
                        : ErrorPolicy.deadLetter(topic, Map.of("bootstrap.servers", servers));
            }
        };
    }

    static MetadataOptions metadata(KsbridgeProperties.Metadata m) {
        if (!m.isAll()) {
            return MetadataOptions.none();
        }
        return MetadataOptions.all().withTopic(m.isTopic()).withOffsetAndPartition(m.isOffsetAndPartition())
                .withCreateTime(m.isCreateTime()).withConnectorPushTime(m.isConnectorPushTime());
    }

    /** One line for the start-up log: what runs where. Never holds a secret (consumer properties are not shown). */
    static String summary(KafkaToSnowflakeBridge bridge, KsbridgeProperties p) {
        var s = bridge.settings();
        return "name=" + s.name()
                + ", topics=" + (s.topicPattern() != null ? s.topicPattern().pattern() : s.topics())
                + ", backend=" + s.backend().name()
                + ", account=" + p.getSnowflake().getUrl() + " as " + p.getSnowflake().getUser()
                + ", flushPolicy=" + s.flushPolicy()
                + ", errorPolicy=" + s.errorPolicy()
                + ", maxBufferedBytes=" + s.maxBufferedBytes();
    }
}
