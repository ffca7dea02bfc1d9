package io.ksbridge.testkit.emulator;

import java.time.Duration;
import java.util.regex.Pattern;

/**
 * What the emulated account would bill, as Snowflake meters it: a statement that scans or writes data (a SELECT from a
 * table or stream, a CTAS, DML) needs the warehouse, which resumes if suspended (billed for at least 60 seconds per
 * resume) and suspends {@code AUTO_SUSPEND} (60 s by default) of {@link ChangeClock} time after its last such
 * statement; metadata statements ({@code SHOW}, {@code SYSTEM$STREAM_HAS_DATA}, {@code CURRENT_TIMESTAMP()}, DDL on
 * streams, {@code DROP}, {@code ALTER}) run in the cloud services layer and are only counted. One warehouse per
 * account is modelled. Thread-safe.
 */
public final class Metering {
    private static final Pattern WAREHOUSE = Pattern.compile("\\s*(SELECT\\s+\\*|SELECT\\s+.*\\bFROM\\b|CREATE\\s+.*\\bAS\\s+SELECT\\b|INSERT\\b"
            + "|UPDATE\\b|DELETE\\b|MERGE\\b|COPY\\b|TRUNCATE\\b).*", Pattern.CASE_INSENSITIVE | Pattern.DOTALL);
    private static final Pattern PROBE = Pattern.compile("(?is).*SYSTEM\\$STREAM_HAS_DATA.*");
    private static final Pattern NO_SCAN = Pattern.compile("(?is)\\s*SELECT\\s+(SYSTEM\\$|DATE_PART\\s*\\(|CURRENT_).*|.*\\bLIMIT\\s+0\\s*;?\\s*");

    private final ChangeClock clock;
    private long autoSuspendMillis = 60_000;
    private long resumes;
    private long warehouseStatements;
    private long cloudServicesStatements;
    private long probes;
    private long billedMillis;
    private long resumedAt = -1;
    private long lastUse = -1;

    Metering(ChangeClock clock) {
        this.clock = clock;
    }

    /** Counts one statement (called for every statement the SQL API runs). */
    synchronized void statement(String sql) {
        if (PROBE.matcher(sql).matches()) {
            probes++;
        }
        if (!WAREHOUSE.matcher(sql).matches() || NO_SCAN.matcher(sql).matches()) {
            cloudServicesStatements++;
            return;
        }
        long now = clock.millis();
        settle(now);
        if (resumedAt < 0) {
            resumes++;
            resumedAt = now;
        }
        lastUse = now;
        warehouseStatements++;
    }

    /** Closes a running period that auto-suspend ended before {@code now}. */
    private void settle(long now) {
        if (resumedAt >= 0 && now > lastUse + autoSuspendMillis) {
            billedMillis += Math.max(60_000, lastUse + autoSuspendMillis - resumedAt);
            resumedAt = -1;
        }
    }

    /** The warehouse's AUTO_SUSPEND (default 60 s). */
    public synchronized Metering autoSuspend(Duration after) {
        this.autoSuspendMillis = after.toMillis();
        return this;
    }

    /** How many times the warehouse resumed from suspended. */
    public synchronized long warehouseResumes() {
        return resumes;
    }

    /** Statements that needed the warehouse. */
    public synchronized long warehouseStatements() {
        return warehouseStatements;
    }

    /** Statements served by the cloud services layer alone. */
    public synchronized long cloudServicesStatements() {
        return cloudServicesStatements;
    }

    /** {@code SYSTEM$STREAM_HAS_DATA} calls. */
    public synchronized long streamProbes() {
        return probes;
    }

    /** Warehouse seconds billed so far (60 s minimum per resume; a running period counts up to now). */
    public synchronized double billedWarehouseSeconds() {
        long now = clock.millis();
        settle(now);
        long running = resumedAt < 0 ? 0 : Math.max(60_000, Math.min(now, lastUse + autoSuspendMillis) - resumedAt);
        return (billedMillis + running) / 1000.0;
    }

    /** Every counter back to zero (the warehouse suspended). */
    public synchronized Metering reset() {
        resumes = 0;
        warehouseStatements = 0;
        cloudServicesStatements = 0;
        probes = 0;
        billedMillis = 0;
        resumedAt = -1;
        lastUse = -1;
        return this;
    }

    @Override
    public synchronized String toString() {
        return "Metering{resumes=" + resumes + ", warehouseStatements=" + warehouseStatements + ", cloudServices="
                + cloudServicesStatements + ", probes=" + probes + "}";
    }
}
