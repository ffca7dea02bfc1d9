package io.ksbridge.ingest.snowpipe;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32C;
import org.apache.kafka.common.TopicPartition;

/**
 * File names on the stage: {@code <connector>/<TABLE>/<partitionPart>/<first>_<last>.json.gz}.
 *
 * <p>The layout is the Snowflake Kafka connector's, with one change: the connector appends the current time
 * ({@code <first>_<last>_<epochMillis>}), so a retried batch gets a new name and Snowpipe, which loads a given name
 * once, cannot tell the retry from new data: one source of the connector's admitted duplicates. Here the name is a
 * pure function of the batch (table, topic, partition, first and last offset), which {@code IngestBatch.id()} keeps
 * stable across attempts, so a retry re-stages the same name with the same bytes and Snowpipe ignores the second
 * submission. {@code partitionPart} keeps the connector's scheme: {@code |CRC32C(upper-cased topic)| * 0x10000 +
 * 0x8000 + partition}, so two topics feeding one table do not collide.
 */
final class FileNames {
    /**
     * Ours, {@code <first>_<last>.json.zst|gz}, and the connector's, {@code <first>_<last>_<epochMillis>.json.gz}:
     * a bridge that takes a topic over from the connector (same connector name, so the same stage, pipes and
     * folders) reads the connector's files at reconciliation too, resumes after the last offset they cover whatever
     * the consumer group says (a killed connector worker loads files whose offsets it never committed), re-submits
     * the ones it staged but never submitted, and purges the loaded ones.
     */
    private static final Pattern RANGE = Pattern.compile("(?:^|/)(\\d+)_(\\d+)(?:_\\d+)?\\.json\\.(?:gz|zst)$");

    private FileNames() {
    }

    /** The first and last offset a file covers. */
    record Range(long first, long last) {
    }

    static long partitionPart(TopicPartition tp) {
        CRC32C crc = new CRC32C();
        crc.update(tp.topic().toUpperCase(Locale.ROOT).getBytes(StandardCharsets.UTF_8));
        long hash = Math.abs((long) (int) crc.getValue());
        return hash * 0x10000L + 0x8000L + tp.partition();
    }

    /** The folder of a partition's files: {@code connector/TABLE/partitionPart/}. */
    static String prefix(String connector, String table, TopicPartition tp) {
        return pathSafe(connector) + "/" + pathSafe(table) + "/" + partitionPart(tp) + "/";
    }

    /**
     * Whether {@code path} is a file of {@code tp}'s folder for {@code table}: ours ({@link #prefix}) or one the
     * connector wrote. The connector's folder is {@code <connector name as configured>/<its table name>/<partition>/}
     * (Snowflake's connector 2.5.0 adds the topic hash only when its stage file name extension is enabled, and keeps
     * the case of the names it was given, {@code orders_connector/orders/0/}), so the connector and table segments
     * are compared without case and the partition segment may be the bare partition number or our hashed part. Two
     * topics feeding one table through a connector without the extension share the bare folders: the connector
     * itself cannot tell their files apart there.
     */
    static boolean inFolder(String path, String connector, String table, TopicPartition tp) {
        String[] segments = path.split("/", -1);
        if (segments.length != 4) {
            return false;
        }
        if (!segments[0].equalsIgnoreCase(pathSafe(connector)) || !segments[1].equalsIgnoreCase(pathSafe(table))) {
            return false;
        }
        String part = segments[2];
        return part.equals(Long.toString(partitionPart(tp))) || part.equals(Integer.toString(tp.partition()));
    }

    static String name(String prefix, long first, long last, Compression compression) {
        return prefix + first + "_" + last + compression.extension();
    }

    /** The range a file name carries (ours or the connector's), or null when it is neither. */
    static Range range(String name) {
        Matcher m = RANGE.matcher(name);
        if (!m.find()) {
            return null;
        }
        return new Range(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)));
    }

    /**
     * A name as a path segment: as it is when it holds only letters, digits, {@code _}, {@code $} and {@code -} (every
     * unquoted identifier, so the connector's layout), otherwise each other character as {@code _}. The partition
     * part, from the topic, keeps two topics' files apart even when their tables look alike here.
     */
    static String pathSafe(String name) {
        return name.replaceAll("[^A-Za-z0-9_$-]", "_");
    }
}
