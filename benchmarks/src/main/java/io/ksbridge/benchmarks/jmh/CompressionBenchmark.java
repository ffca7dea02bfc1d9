package io.ksbridge.benchmarks.jmh;

import com.github.luben.zstd.Zstd;
import io.ksbridge.benchmarks.e2e.SampleData;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Compressing one Snowpipe file of 2,000 NDJSON rows (~2.3 MB): gzip and zstd at several levels. Reports time per
 * file; the ratio is printed once at setup.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 4, time = 1)
@Fork(1)
public class CompressionBenchmark {
    @Param({"gzip-1", "gzip-6", "zstd-1", "zstd-3"})
    public String codec;

    private byte[] file;

    @Setup
    public void setup() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < 2_000; i++) {
            out.write("{\"RECORD_CONTENT\":".getBytes(StandardCharsets.UTF_8));
            out.write(SampleData.value(42, i));
            out.write((",\"RECORD_METADATA\":{\"topic\":\"orders\",\"offset\":" + i
                    + ",\"partition\":0,\"CreateTime\":1795400000000}}\n").getBytes(StandardCharsets.UTF_8));
        }
        file = out.toByteArray();
        System.out.printf("%n%s: %,d bytes -> %,d bytes%n", codec, file.length, compress().length);
    }

    @Benchmark
    public int compressFile() throws Exception {
        return compress().length;
    }

    private byte[] compress() throws Exception {
        String[] parts = codec.split("-");
        int level = Integer.parseInt(parts[1]);
        if (parts[0].equals("zstd")) {
            return Zstd.compress(file, level);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(file.length / 4);
        try (GZIPOutputStream gz = new GZIPOutputStream(out, 65536) {
            {
                def.setLevel(level);
            }
        }) {
            gz.write(file);
        }
        return out.toByteArray();
    }

    /** Keeps Deflater's import used for readers following the level constants. */
    static final int DEFAULT_GZIP_LEVEL = Deflater.DEFAULT_COMPRESSION;
}
