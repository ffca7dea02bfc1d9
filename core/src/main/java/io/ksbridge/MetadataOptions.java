package io.ksbridge;

/**
 * Which fields {@code RECORD_METADATA} carries, switched as the connector's {@code snowflake.metadata.*}
 * flags switch them. Field names and order are the connector's: {@code topic}, {@code offset},
 * {@code partition}, {@code CreateTime} or {@code LogAppendTime}, {@code schema_id},
 * {@code SnowflakeConnectorPushTime} (Streaming only), {@code key}, {@code key_schema_id},
 * {@code headers}. Immutable and thread-safe; each {@code with…} returns a copy.
 */
public final class MetadataOptions {
    private static final MetadataOptions ALL = new MetadataOptions(true, true, true, true, true);
    private static final MetadataOptions NONE = new MetadataOptions(false, true, true, true, true);

    private final boolean enabled;
    private final boolean topic;
    private final boolean offsetAndPartition;
    private final boolean createTime;
    private final boolean connectorPushTime;

    private MetadataOptions(boolean enabled, boolean topic, boolean offsetAndPartition, boolean createTime,
                            boolean connectorPushTime) {
        this.enabled = enabled;
        this.topic = topic;
        this.offsetAndPartition = offsetAndPartition;
        this.createTime = createTime;
        this.connectorPushTime = connectorPushTime;
    }

    /** Every field, the connector's default ({@code snowflake.metadata.all=true}). */
    public static MetadataOptions all() {
        return ALL;
    }

    /** No {@code RECORD_METADATA} at all ({@code snowflake.metadata.all=false}): the column stays null. */
    public static MetadataOptions none() {
        return NONE;
    }

    /** {@code snowflake.metadata.topic}: include {@code topic}. */
    public MetadataOptions withTopic(boolean include) {
        return new MetadataOptions(enabled, include, offsetAndPartition, createTime, connectorPushTime);
    }

    /** {@code snowflake.metadata.offset.and.partition}: include {@code offset} and {@code partition}. */
    public MetadataOptions withOffsetAndPartition(boolean include) {
        return new MetadataOptions(enabled, topic, include, createTime, connectorPushTime);
    }

    /** {@code snowflake.metadata.createtime}: include {@code CreateTime} / {@code LogAppendTime}. */
    public MetadataOptions withCreateTime(boolean include) {
        return new MetadataOptions(enabled, topic, offsetAndPartition, include, connectorPushTime);
    }

    /**
     * {@code snowflake.streaming.metadata.connectorPushTime}: include {@code SnowflakeConnectorPushTime}
     * when the backend is Streaming. Ignored by other backends.
     */
    public MetadataOptions withConnectorPushTime(boolean include) {
        return new MetadataOptions(enabled, topic, offsetAndPartition, createTime, include);
    }

    public boolean enabled() {
        return enabled;
    }

    public boolean topic() {
        return enabled && topic;
    }

    public boolean offsetAndPartition() {
        return enabled && offsetAndPartition;
    }

    public boolean createTime() {
        return enabled && createTime;
    }

    public boolean connectorPushTime() {
        return enabled && connectorPushTime;
    }

    @Override
    public String toString() {
        if (!enabled) {
            return "MetadataOptions{none}";
        }
        return "MetadataOptions{topic=" + topic + ", offsetAndPartition=" + offsetAndPartition + ", createTime="
                + createTime + ", connectorPushTime=" + connectorPushTime + "}";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MetadataOptions m && m.enabled == enabled && m.topic == topic
                && m.offsetAndPartition == offsetAndPartition && m.createTime == createTime
                && m.connectorPushTime == connectorPushTime;
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(enabled, topic, offsetAndPartition, createTime, connectorPushTime);
    }
}
