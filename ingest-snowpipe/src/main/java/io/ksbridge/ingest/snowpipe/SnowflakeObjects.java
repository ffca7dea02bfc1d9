package io.ksbridge.ingest.snowpipe;

import io.ksbridge.IngestException;
import io.ksbridge.snowflake.KafkaTables;
import io.ksbridge.snowflake.SqlApiClient;
import io.ksbridge.snowflake.SqlResult;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The table, stage and pipe a partition needs, and stage housekeeping, all over the SQL REST API. Thread-safe
 * (stateless but for the client); calls block.
 */
final class SnowflakeObjects {
    private final SqlApiClient sql;
    private final String database;
    private final String schema;

    SnowflakeObjects(SqlApiClient sql, String database, String schema) {
        this.sql = sql;
        this.database = database;
        this.schema = schema;
    }

    String qualify(String object) {
        return database + "." + schema + "." + object;
    }

    /**
     * Creates the table when missing, adds RECORD_CONTENT / RECORD_METADATA when absent, and checks that every other
     * column is nullable.
     */
    void ensureTable(String table) {
        KafkaTables.ensure(sql, qualify(table), "loaded by Snowpipe", false);
    }

    /**
     * Creates the stage when missing.
     *
     * @return the stage's folder when Snowflake describes it as a local folder ({@code LOCAL_FS}: the emulator)
     */
    Optional<Path> ensureStage(String stage) {
        String name = qualify(stage);
        sql.execute("CREATE STAGE IF NOT EXISTS " + name + " COMMENT = 'ksbridge Snowpipe files'");
        SqlResult desc = sql.execute("DESCRIBE STAGE " + name);
        boolean local = false;
        String url = null;
        for (int i = 0; i < desc.rowCount(); i++) {
            String property = desc.get(i, "property");
            String value = desc.get(i, "property_value");
            if ("STAGE_TYPE".equalsIgnoreCase(property) && "LOCAL_FS".equalsIgnoreCase(value)) {
                local = true;
            } else if ("URL".equalsIgnoreCase(property) && value != null) {
                url = value.replaceAll("^\\[\"|\"\\]$", "");
            }
        }
        if (local && url != null && url.startsWith("file:")) {
            return Optional.of(Path.of(URI.create(url)));
        }
        return Optional.empty();
    }

    void ensurePipe(String pipe, String table, String stage) {
        sql.execute("CREATE PIPE IF NOT EXISTS " + qualify(pipe) + " AS COPY INTO " + qualify(table)
                + "(RECORD_METADATA, RECORD_CONTENT) FROM (SELECT $1:RECORD_METADATA, $1:RECORD_CONTENT FROM @" + qualify(stage)
                + " t) FILE_FORMAT = (TYPE = 'JSON' ALLOW_DUPLICATE = TRUE)");
    }

    /** The paths (relative to the stage) of the stage's files under {@code prefix}. */
    List<String> list(String stage, String prefix) {
        SqlResult r = sql.execute("LIST @" + qualify(stage) + "/" + prefix);
        List<String> paths = new ArrayList<>();
        String shownStage = stage.toLowerCase(Locale.ROOT) + "/";
        for (int i = 0; i < r.rowCount(); i++) {
            String name = r.get(i, "name");
            // Snowflake lists a named stage's files as "<stage name, lower case>/<path>"
            if (name.toLowerCase(Locale.ROOT).startsWith(shownStage)) {
                name = name.substring(shownStage.length());
            }
            paths.add(name);
        }
        return paths;
    }

    void remove(String stage, String path) {
        sql.execute("REMOVE @" + qualify(stage) + "/" + path);
    }

    /** Copies a file to the table's stage ({@code @DB.SCHEMA.%TABLE}) and removes it from the named stage. */
    String moveToTableStage(String stage, String path, String table) {
        int slash = path.lastIndexOf('/');
        String folder = slash < 0 ? "" : path.substring(0, slash + 1);
        String file = path.substring(slash + 1);
        String target = "@" + database + "." + schema + ".%" + table + "/failed/" + folder;
        sql.execute("COPY FILES INTO " + target + " FROM @" + qualify(stage) + "/" + folder + " FILES = ('" + file.replace("'", "''")
                + "')");
        remove(stage, path);
        return target + file;
    }
}
