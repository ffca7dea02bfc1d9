package io.ksbridge.benchmarks.jmh;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ksbridge.MetadataOptions;
import io.ksbridge.internal.engine.MetadataWriter;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/** RECORD_METADATA rendering: ksbridge's byte writer against building a Jackson ObjectNode per record. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class MetadataBenchmark {
    private final MetadataWriter writer = new MetadataWriter(MetadataOptions.all(), false);
    private final ObjectMapper mapper = new ObjectMapper();
    private final ConsumerRecord<byte[], byte[]> record;
    private final byte[] keyJson = "\"order-1234567\"".getBytes(StandardCharsets.UTF_8);

    public MetadataBenchmark() {
        RecordHeaders headers = new RecordHeaders();
        headers.add("trace-id", "4bf92f3577b34da6a3ce929d0e0e4736".getBytes(StandardCharsets.UTF_8));
        headers.add("source", "checkout-service".getBytes(StandardCharsets.UTF_8));
        record = new ConsumerRecord<>("orders", 3, 123_456_789L, 1_795_400_000_000L, TimestampType.CREATE_TIME, 13, 1000,
                "order-1234567".getBytes(StandardCharsets.UTF_8), new byte[1000], headers, Optional.empty());
    }

    @Benchmark
    public int ksbridgeBytes() {
        return writer.render(record, null, keyJson, null).length;
    }

    @Benchmark
    public int jacksonObjectNode() throws Exception {
        ObjectNode meta = mapper.createObjectNode();
        meta.put("topic", record.topic());
        meta.put("offset", record.offset());
        meta.put("partition", record.partition());
        meta.put("CreateTime", record.timestamp());
        meta.put("key", new String(record.key(), StandardCharsets.UTF_8));
        ObjectNode h = meta.putObject("headers");
        for (Header header : record.headers()) {
            h.put(header.key(), new String(header.value(), StandardCharsets.UTF_8));
        }
        return mapper.writeValueAsBytes(meta).length;
    }
}
