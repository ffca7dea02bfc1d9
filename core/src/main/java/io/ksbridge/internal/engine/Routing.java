package io.ksbridge.internal.engine;

import io.ksbridge.RecordFormatException;
import io.ksbridge.TableRouter;
import io.ksbridge.ingest.IngestRow;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Routing by record (a {@link TableRouter} set): the lane each row of a record goes to, a table opened on its first
 * row, and the rows a lane already holds (below its start) dropped there. Polling thread; reuses its list.
 */
final class Routing {
    private final TableRouter router;
    private final Assignments partitions;
    private final ErrorRouter errors;
    private final List<PartitionState> targets = new ArrayList<>();

    Routing(TableRouter router, Assignments partitions, ErrorRouter errors) {
        this.router = router;
        this.partitions = partitions;
        this.errors = errors;
    }

    /**
     * The lane of each of the record's rows, in row order (null for a row its lane already holds); an empty list when
     * nothing is to be added (every row already held, or the router failed and the error policy took the record);
     * null when a table is opening: the partition was sought back to the record, and reads it again once open.
     */
    List<PartitionState> lanes(PartitionState ps, ConsumerRecord<byte[], byte[]> rec, RecordConverter.Converted c,
                               Commands consumer) {
        targets.clear();
        int rows = 1 + c.more.size();
        boolean waiting = false;
        boolean any = false;
        for (int i = 0; i < rows; i++) {
            String table;
            try {
                table = router.route(c.views.get(i), ps.table);
                if (table == null || table.isBlank()) {
                    throw new IllegalStateException("it returned no table name");
                }
            } catch (RuntimeException e) {
                String why = e.getMessage() == null || e.getMessage().isBlank() ? e.getClass().getSimpleName()
                        : e.getMessage();
                errors.route(ps, rec, new RecordFormatException(RecordConverter.coordinates(rec),
                        RecordFormatException.Side.RECORD, "router " + router + " failed: " + why, e));
                targets.clear();
                return targets;
            }
            PartitionState lane = ps.routes.lanes.get(table);
            if (lane == null) {
                lane = partitions.openLane(ps, table, consumer);
                if (lane == null) {
                    waiting = true;
                    continue;
                }
            }
            if (rec.offset() < lane.dropBelow) {
                targets.add(null); // the table already holds it: loaded before a crash, not yet committed
            } else {
                targets.add(lane);
                any = true;
            }
        }
        if (waiting) {
            consumer.seek(ps.tp, rec.offset());
            return null;
        }
        if (!any) {
            targets.clear();
        }
        return targets;
    }

    /** Adds the rows to their lanes; returns the bytes they hold (the source record counted once). */
    static long add(ConsumerRecord<byte[], byte[]> rec, RecordConverter.Converted c, List<PartitionState> lanes,
                    long sourceBytes, long now) {
        long taken = 0;
        boolean sourceCounted = false;
        for (int i = 0; i < lanes.size(); i++) {
            PartitionState lane = lanes.get(i);
            if (lane == null) {
                continue;
            }
            IngestRow row = i == 0 ? c.row : c.more.get(i - 1);
            long size = row.sizeInBytes() + (sourceCounted ? 0 : sourceBytes);
            sourceCounted = true;
            lane.addRow(row, rec, size, now);
            taken += size;
        }
        return taken;
    }

    /** The record is handled for its partition: read past, and no longer holding a commit back unless a lane has it. */
    static void handled(PartitionState ps, long offset, OffsetLedger ledger) {
        if (ps.firstRead < 0) {
            ps.firstRead = offset;
        }
        ps.nextOffset = offset + 1;
        ps.routes.handled(offset);
        ledger.changed();
    }
}
