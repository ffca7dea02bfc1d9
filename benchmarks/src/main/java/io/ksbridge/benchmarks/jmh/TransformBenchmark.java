package io.ksbridge.benchmarks.jmh;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ksbridge.LazyJson;
import io.ksbridge.RecordCoordinates;
import io.ksbridge.RecordTransform;
import io.ksbridge.TransformRecord;
import io.ksbridge.Transforms;
import io.ksbridge.benchmarks.e2e.SampleData;
import io.ksbridge.format.JsonFormat;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The value path per record (a ~1 KiB order event of {@link SampleData}): the JSON format's validation alone (the
 * untransformed path), then the same plus a two-field mask, plus a chain (mask, drop, flatten, filter), and the two-field
 * mask done with a Jackson tree for comparison. Run:
 * {@code mvn -B -q -Pjmh -DskipTests package -pl benchmarks -am -Djmh.args="TransformBenchmark"}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class TransformBenchmark {
    private static final RecordCoordinates AT = new RecordCoordinates("orders", 0, 1);
    private final byte[] value = SampleData.value(42, 7);
    private final RecordHeaders headers = new RecordHeaders();
    private final RecordTransform mask = Transforms.mask("customer", "notes");
    private final RecordTransform chain = Transforms.mask("customer").andThen(Transforms.drop("notes"))
            .andThen(Transforms.flatten("_")).andThen(Transforms.filterByField("order_id", v -> v != null));
    private final ObjectMapper mapper = new ObjectMapper();

    private TransformRecord in() {
        return TransformRecord.of(AT, 1L, null, LazyJson.of(value), headers);
    }

    @Benchmark
    public int untransformed() {
        return JsonFormat.isValid(value) ? value.length : -1;
    }

    @Benchmark
    public int maskTwoFields() {
        JsonFormat.isValid(value);
        return Transforms.applyTo(mask, in()).get(0).value().bytes().length;
    }

    @Benchmark
    public int chainMaskDropFlattenFilter() {
        JsonFormat.isValid(value);
        return Transforms.applyTo(chain, in()).get(0).value().bytes().length;
    }

    /** The top-level scan alone: every field's span, nested values skipped. */
    @Benchmark
    public Object scanOnly() {
        return LazyJson.of(value).get("notes");
    }

    @Benchmark
    public int maskTwoFieldsJacksonTree() throws Exception {
        ObjectNode tree = (ObjectNode) mapper.readTree(value);
        tree.put("customer", "****");
        tree.put("notes", "****");
        return mapper.writeValueAsBytes(tree).length;
    }
}
