package io.ksbridge.ingest;

import java.util.List;
import java.util.Objects;

/**
 * The one outcome of one batch. Exactly one of:
 * <ul>
 *   <li>{@link Durable}: the batch's rows are durable in Snowflake (Streaming: the committed offset token
 *       reached {@code lastOffset}; Snowpipe: {@code insertFiles} accepted the file), except the rows listed as
 *       rejected, which the bridge routes by its {@link io.ksbridge.ErrorPolicy};</li>
 *   <li>{@link Retry}: nothing of the batch can be counted on; the bridge retries the same batch after a
 *       backoff, before any later batch of the same partition is counted durable;</li>
 *   <li>{@link Fatal}: retrying will not help; the bridge stops with the cause, committing nothing past the
 *       last durable batch.</li>
 * </ul>
 */
public sealed interface IngestResult permits IngestResult.Durable, IngestResult.Retry, IngestResult.Fatal {

    /** Every row is durable. */
    static IngestResult durable() {
        return Durable.ALL;
    }

    /** Every row is durable but the rejected ones. */
    static IngestResult durable(List<RowRejection> rejected) {
        return rejected.isEmpty() ? Durable.ALL : new Durable(rejected);
    }

    /** Try the same batch again later. */
    static IngestResult retry(Throwable cause) {
        return new Retry(cause);
    }

    /** Stop the bridge. */
    static IngestResult fatal(Throwable cause) {
        return new Fatal(cause);
    }

    /** A row Snowflake refused, by offset, with Snowflake's reason. */
    record RowRejection(long offset, String reason) {
        public RowRejection {
            Objects.requireNonNull(reason, "reason");
        }
    }

    /** The batch is durable; {@code rejected} rows (by offset) were refused and are not. */
    record Durable(List<RowRejection> rejected) implements IngestResult {
        static final Durable ALL = new Durable(List.of());

        public Durable {
            rejected = List.copyOf(rejected);
        }
    }

    /** Transient failure: retry the whole batch. */
    record Retry(Throwable cause) implements IngestResult {
        public Retry {
            Objects.requireNonNull(cause, "cause");
        }
    }

    /** Permanent failure: stop. */
    record Fatal(Throwable cause) implements IngestResult {
        public Fatal {
            Objects.requireNonNull(cause, "cause");
        }
    }
}
