package io.ksbridge.ingest.streaminghp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ksbridge.IngestException;
import io.ksbridge.snowflake.SqlApiClient;
import io.ksbridge.snowflake.SqlResult;
import java.io.IOException;
import java.util.Objects;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves a partition over from a Snowpipe Streaming Classic channel ({@code snowflake-ingest-sdk}: ksbridge's
 * {@code StreamingBackend}, the Kafka connector v3) the way Snowflake's Kafka connector v4 does: when the
 * high-performance channel has no committed offset token yet, {@code SYSTEM$MIGRATE_SSV1_CHANNEL_OFFSET(table, classic
 * channel, channel, pipe)} reads the Classic channel's committed token and writes it as the new channel's, so the
 * bridge resumes right after it, with nothing replayed or skipped. Once the new channel has a token of its own, it is
 * never consulted again.
 */
final class ClassicTakeOver {
    static final String FUNCTION = "SYSTEM$MIGRATE_SSV1_CHANNEL_OFFSET";
    private static final Logger LOG = LoggerFactory.getLogger(ClassicTakeOver.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HighPerformanceStreamingBackend.ClassicChannels mode;
    /** The v3 connector's name when its channels were {@code <connector>_<topic>_<partition>}; null otherwise. */
    private final String classicPrefix;

    ClassicTakeOver(HighPerformanceStreamingBackend.ClassicChannels mode, String classicPrefix) {
        this.mode = Objects.requireNonNull(mode, "mode");
        this.classicPrefix = classicPrefix;
    }

    /** The Classic channel of a partition: {@code <topic>_<partition>} or {@code <connector>_<topic>_<partition>}. */
    String classicChannel(TopicPartition tp) {
        String base = tp.topic() + "_" + tp.partition();
        return classicPrefix == null ? base : classicPrefix + "_" + base;
    }

    /**
     * Takes over the Classic channel's committed offset.
     *
     * @return the Classic channel's committed Kafka offset, now the new channel's; -1 when it has none (or, under
     *         {@code BEST_EFFORT}, does not exist)
     * @throws IngestException fatal under {@code STRICT} when the Classic channel does not exist, and when the answer
     *                         is not what the function returns; retriable (from the SQL client) when Snowflake could
     *                         not be reached: the partition is never loaded without asking
     */
    long takeOver(SqlApiClient sql, String database, String schema, String table, String pipe, TopicPartition tp,
                  String channel) {
        String classic = classicChannel(tp);
        String statement = "SELECT " + FUNCTION + "(" + literal(database + "." + schema + "." + table) + ", "
                + literal(classic) + ", " + literal(channel) + ", " + literal(pipe) + ")";
        SqlResult result = sql.execute(statement, database, schema);
        if (result.rows().isEmpty() || result.rows().get(0).isEmpty() || result.rows().get(0).get(0) == null) {
            throw new IngestException(FUNCTION + " gave no answer for Classic channel " + classic, false);
        }
        String answer = result.rows().get(0).get(0);
        JsonNode node;
        try {
            node = JSON.readTree(answer);
        } catch (IOException e) {
            throw new IngestException(FUNCTION + " answered for Classic channel " + classic + " with what is not JSON: "
                    + answer, false, e);
        }
        boolean found = node.path("ssv1_channel_found").asBoolean(false);
        JsonNode offset = node.path("migrated_offset");
        if (found && offset.canConvertToLong()) {
            LOG.info("took over Classic channel {} of {} for {}: resuming after offset {} on channel {}", classic, table, tp,
                    offset.asLong(), channel);
            return offset.asLong();
        }
        if (found) {
            LOG.info("Classic channel {} of {} has no committed offset token; {} starts as a new partition", classic,
                    table, tp);
            return -1;
        }
        if (mode == HighPerformanceStreamingBackend.ClassicChannels.STRICT) {
            throw new IngestException("the Snowpipe Streaming Classic channel " + classic + " of table " + table + " does"
                    + " not exist, and takeOverClassicChannels(STRICT) loads no partition without its Classic position."
                    + " Check the channel names (classicConnectorName), or use BEST_EFFORT for topics added since the"
                    + " Classic loader stopped.", false);
        }
        LOG.info("no Classic channel {} of {}; {} resumes at Kafka's committed offset", classic, table, tp);
        return -1;
    }

    /** A SQL string literal. */
    static String literal(String value) {
        return "'" + value.replace("\\", "\\\\").replace("'", "''") + "'";
    }
}
