package io.ksbridge.ingest.snowpipe;

import io.ksbridge.IngestException;
import io.ksbridge.snowflake.KafkaTables;
import io.ksbridge.snowflake.SnowflakeIdentifiers;
import io.ksbridge.snowflake.SqlApiClient;
import io.ksbridge.snowflake.SqlResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

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

    /** {@code "DB"."SCHEMA"."OBJECT"} for SQL: every part quoted, so the names' case survives. */
    String qualify(String object) {
        return SnowflakeIdentifiers.qualify(database, schema, object);
    }

    /**
     * {@code DB.SCHEMA.PIPE} for the Snowpipe REST API, whose {@code pipeName} is "case-sensitive, fully qualified":
     * the resolved names, unquoted.
     */
    String restName(String pipe) {
        return database + "." + schema + "." + pipe;
    }

    /**
     * Creates the table when missing, adds RECORD_CONTENT / RECORD_METADATA when absent, and checks that every other
     * column is nullable.
     */
    void ensureTable(String table, boolean schematized) {
        KafkaTables.ensure(sql, qualify(table), "loaded by Snowpipe", schematized);
    }

    /**
     * Creates the stage when missing. How files get onto it is the uploader's business, never the server's: what
     * {@code DESCRIBE STAGE} says about the stage is not asked.
     */
    void ensureStage(String stage) {
        sql.execute("CREATE STAGE IF NOT EXISTS " + qualify(stage) + " COMMENT = 'ksbridge Snowpipe files'");
    }

    /**
     * Creates the pipe when missing and says which field names its definition selects. A pipe the Snowflake
     * connector created (a bridge taking a topic over from it, with its connector name) selects {@code $1:meta,
     * $1:content}; files with ksbridge's own names would load through it as NULL columns, without an error.
     *
     * @throws IngestException (fatal) naming the pipe and its definition when it selects neither
     */
    NdjsonFiles.Layout ensurePipe(String pipe, String table, String stage) {
        sql.execute("CREATE PIPE IF NOT EXISTS " + qualify(pipe) + " AS COPY INTO " + qualify(table)
                + "(RECORD_METADATA, RECORD_CONTENT) FROM (SELECT $1:RECORD_METADATA, $1:RECORD_CONTENT FROM @" + qualify(stage)
                + " t) FILE_FORMAT = (TYPE = 'JSON' ALLOW_DUPLICATE = TRUE)");
        SqlResult r = sql.execute("DESC PIPE " + qualify(pipe));
        String definition = r.rowCount() == 0 ? "" : String.valueOf(r.get(0, "definition"));
        String d = definition.replaceAll("\\s+", "").toUpperCase(Locale.ROOT);
        if (d.contains("$1:RECORD_METADATA") && d.contains("$1:RECORD_CONTENT")) {
            return NdjsonFiles.Layout.KSBRIDGE;
        }
        if (d.contains("$1:META") && d.contains("$1:CONTENT")) {
            return NdjsonFiles.Layout.CONNECTOR;
        }
        throw new IngestException("pipe " + qualify(pipe) + " exists with a definition that selects neither"
                + " $1:RECORD_METADATA, $1:RECORD_CONTENT (ksbridge's) nor $1:meta, $1:content (the Snowflake"
                + " connector's): " + definition + "; drop it, or give the backend another connectorName(..)", false);
    }

    /**
     * Creates the pipe of a schematized table when missing: {@code MATCH_BY_COLUMN_NAME = CASE_INSENSITIVE}, each file
     * row's keys loading into the columns of the same name. Its name differs from the plain pipe's, so a table never
     * loads through a pipe of the other kind.
     */
    void ensureTypedPipe(String pipe, String table, String stage) {
        sql.execute("CREATE PIPE IF NOT EXISTS " + qualify(pipe) + " AS COPY INTO " + qualify(table) + " FROM @"
                + qualify(stage) + " MATCH_BY_COLUMN_NAME = CASE_INSENSITIVE FILE_FORMAT = (TYPE = 'JSON')");
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
        String target = "@" + SnowflakeIdentifiers.quote(database) + "." + SnowflakeIdentifiers.quote(schema) + ".%"
                + SnowflakeIdentifiers.quote(table) + "/failed/" + folder;
        sql.execute("COPY FILES INTO " + target + " FROM @" + qualify(stage) + "/" + folder + " FILES = ('" + file.replace("'", "''")
                + "')");
        remove(stage, path);
        return target + file;
    }
}
