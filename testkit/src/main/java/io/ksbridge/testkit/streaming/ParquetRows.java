package io.ksbridge.testkit.streaming;

import java.io.IOException;
import java.lang.reflect.Constructor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import net.snowflake.ingest.internal.org.apache.parquet.ParquetReadOptions;
import net.snowflake.ingest.internal.org.apache.parquet.bytes.ByteBufferAllocator;
import net.snowflake.ingest.internal.org.apache.parquet.bytes.HeapByteBufferAllocator;
import net.snowflake.ingest.internal.org.apache.parquet.column.page.PageReadStore;
import net.snowflake.ingest.internal.org.apache.parquet.compression.CompressionCodecFactory;
import net.snowflake.ingest.internal.org.apache.parquet.crypto.FileDecryptionProperties;
import net.snowflake.ingest.internal.org.apache.parquet.filter2.compat.FilterCompat;
import net.snowflake.ingest.internal.org.apache.parquet.format.converter.ParquetMetadataConverter;
import net.snowflake.ingest.internal.org.apache.parquet.hadoop.BdecParquetReader;
import net.snowflake.ingest.internal.org.apache.parquet.hadoop.ParquetFileReader;
import net.snowflake.ingest.internal.org.apache.parquet.hadoop.ParquetMetricsCallback;
import net.snowflake.ingest.internal.org.apache.parquet.hadoop.util.HadoopCodecs;
import net.snowflake.ingest.internal.org.apache.parquet.io.ColumnIOFactory;
import net.snowflake.ingest.internal.org.apache.parquet.io.MessageColumnIO;
import net.snowflake.ingest.internal.org.apache.parquet.io.RecordReader;
import net.snowflake.ingest.internal.org.apache.parquet.io.api.Binary;
import net.snowflake.ingest.internal.org.apache.parquet.io.api.Converter;
import net.snowflake.ingest.internal.org.apache.parquet.io.api.GroupConverter;
import net.snowflake.ingest.internal.org.apache.parquet.io.api.PrimitiveConverter;
import net.snowflake.ingest.internal.org.apache.parquet.io.api.RecordMaterializer;
import net.snowflake.ingest.internal.org.apache.parquet.schema.MessageType;

/**
 * Reads the rows of a BDEC Parquet chunk with the Parquet classes shaded into the SDK. The SDK's own
 * {@code BdecParquetReader} cannot be used as is: its read options builder loads Hadoop's MapReduce classes, which
 * the shaded jar leaves out. So the options are made directly (reflectively: their constructor is package-private)
 * and rows are assembled with Parquet's record reader.
 */
final class ParquetRows {
    private static final Constructor<ParquetReadOptions> OPTIONS;

    static {
        try {
            OPTIONS = ParquetReadOptions.class.getDeclaredConstructor(boolean.class, boolean.class, boolean.class,
                    boolean.class, boolean.class, boolean.class, boolean.class, boolean.class, boolean.class,
                    FilterCompat.Filter.class, ParquetMetadataConverter.MetadataFilter.class, CompressionCodecFactory.class,
                    ByteBufferAllocator.class, int.class, Map.class, FileDecryptionProperties.class,
                    ParquetMetricsCallback.class);
            OPTIONS.setAccessible(true);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private ParquetRows() {
    }

    /**
     * A chunk's rows.
     *
     * @param columns the column names, in schema order (the SDK names them after the table's columns)
     * @param rows    each row's values in schema order ({@code byte[]} for binary columns, null for NULL)
     */
    record Chunk(List<String> columns, List<List<Object>> rows) {
    }

    /** Every row of the chunk. */
    static Chunk read(byte[] parquet) throws IOException {
        List<List<Object>> rows = new ArrayList<>();
        List<String> names = new ArrayList<>();
        try (ParquetFileReader reader = ParquetFileReader.open(new BdecParquetReader.BdecInputFile(parquet), options())) {
            MessageType schema = reader.getFooter().getFileMetaData().getSchema();
            schema.getFields().forEach(f -> names.add(f.getName()));
            MessageColumnIO io = new ColumnIOFactory().getColumnIO(schema);
            for (PageReadStore pages = reader.readNextRowGroup(); pages != null; pages = reader.readNextRowGroup()) {
                RecordReader<List<Object>> records = io.getRecordReader(pages, new Materializer(schema.getFieldCount()));
                for (long i = 0; i < pages.getRowCount(); i++) {
                    rows.add(records.read());
                }
            }
        }
        return new Chunk(names, rows);
    }

    private static ParquetReadOptions options() throws IOException {
        try {
            return OPTIONS.newInstance(false, false, false, false, false, false, false, false, false, FilterCompat.NOOP,
                    ParquetMetadataConverter.NO_FILTER, HadoopCodecs.newFactory(0), new HeapByteBufferAllocator(),
                    8 << 20, Map.of(), null, null);
        } catch (ReflectiveOperationException e) {
            throw new IOException("cannot make Parquet read options: " + e, e);
        }
    }

    /** Assembles a flat row into a list. */
    private static final class Materializer extends RecordMaterializer<List<Object>> {
        private final Row root;

        Materializer(int fields) {
            this.root = new Row(fields);
        }

        @Override
        public List<Object> getCurrentRecord() {
            return Arrays.asList(root.values.clone());
        }

        @Override
        public GroupConverter getRootConverter() {
            return root;
        }
    }

    private static final class Row extends GroupConverter {
        final Object[] values;
        private final Converter[] converters;

        Row(int fields) {
            this.values = new Object[fields];
            this.converters = new Converter[fields];
            for (int i = 0; i < fields; i++) {
                int index = i;
                converters[i] = new PrimitiveConverter() {
                    @Override
                    public void addBinary(Binary value) {
                        values[index] = value.getBytes();
                    }

                    @Override
                    public void addBoolean(boolean value) {
                        values[index] = value;
                    }

                    @Override
                    public void addDouble(double value) {
                        values[index] = value;
                    }

                    @Override
                    public void addFloat(float value) {
                        values[index] = value;
                    }

                    @Override
                    public void addInt(int value) {
                        values[index] = value;
                    }

                    @Override
                    public void addLong(long value) {
                        values[index] = value;
                    }
                };
            }
        }

        @Override
        public Converter getConverter(int fieldIndex) {
            return converters[fieldIndex];
        }

        @Override
        public void start() {
            Arrays.fill(values, null);
        }

        @Override
        public void end() {
        }
    }
}
