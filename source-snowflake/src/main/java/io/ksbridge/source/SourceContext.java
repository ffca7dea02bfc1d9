package io.ksbridge.source;

import io.ksbridge.BridgeException;
import io.ksbridge.snowflake.SnowflakeSqlException;
import io.ksbridge.snowflake.SqlApiClient;
import io.ksbridge.snowflake.SqlResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a {@link SourceMode} works with while this instance is active: the settings, the SQL API client, the test hook,
 * the {@link Publisher}, the {@link ChangeRecords} conversion, and the loop's leadership check. Used on the bridge's
 * thread only.
 *
 * @param requireLeader polls the election at once; throws {@link NotLeader} when this instance lost the active role
 */
record SourceContext(SourceSettings s, SqlApiClient sql, Hook hook, Publisher publisher, ChangeRecords records,
                     Runnable requireLeader) {
    private static final Logger LOG = LoggerFactory.getLogger(SourceContext.class);

    /** Runs a listener callback; one that throws is logged and ignored. */
    void notify(Runnable callback) {
        try {
            callback.run();
        } catch (RuntimeException e) {
            LOG.warn("bridge {}: a listener threw {}; ignored", s.name(), e.toString());
        }
    }

    /**
     * Checks that the source table exists and tracks changes; when it does not and {@code mayEnable}, turns tracking
     * on (which only the table's owner may do).
     *
     * @throws BridgeException naming the table and, when tracking is off, the {@code ALTER TABLE} its owner must run
     */
    void ensureTracking(SnowflakeObjects objects, String table, boolean mayEnable) {
        SqlResult info = objects.describeSource();
        String role = s.account().role().orElse("(default)");
        if (info == null) {
            throw new BridgeException("the source table " + table + " does not exist, or the role " + role + " may not see it");
        }
        if ("ON".equalsIgnoreCase(info.get(0, "change_tracking"))) {
            return;
        }
        String fix = "Ask the owner to run: ALTER TABLE " + table + " SET CHANGE_TRACKING = TRUE";
        if (!mayEnable) {
            throw new BridgeException("change tracking is off on " + table + "; the CHANGES clause needs it, and the read-only"
                    + " CHANGES mode never turns it on (its owner is " + info.get(0, "owner") + "). " + fix);
        }
        try {
            objects.enableChangeTracking();
        } catch (SnowflakeSqlException e) {
            throw new BridgeException("change tracking is off on " + table + " and the role " + role + " cannot turn it on (only"
                    + " the table's owner, " + info.get(0, "owner") + ", can). " + fix, e);
        }
    }
}
