package io.ksbridge.testkit.streaminghp;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ksbridge.testkit.SnowflakeEmulator;
import io.ksbridge.testkit.emulator.HttpJson;
import io.ksbridge.testkit.emulator.Identifiers;
import io.ksbridge.testkit.emulator.SystemFunction;
import io.ksbridge.testkit.streaming.StreamingService;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * {@code SYSTEM$MIGRATE_SSV1_CHANNEL_OFFSET('<table>', '<classic channel>', '<channel>', '<pipe>')}, as Snowflake's
 * Kafka connector v4 calls it to move a Snowpipe Streaming Classic channel over to the high-performance architecture:
 * it reads the Classic channel's committed offset token on the table and writes it as the committed token of the
 * pipe's channel, answering {@code {"ssv1_channel_found":true|false,"migrated_offset":N|null}}.
 *
 * <p>The Classic channel is looked up in the emulator's Classic Streaming service (mounted when
 * {@code snowflake-ingest-sdk} is on the class path; without it no Classic channel exists), its name compared without
 * regard to case, as Snowflake resolves it. A token that is not a number is refused, as the function takes Kafka
 * offsets only.
 */
final class ClassicOffsetMigration implements SystemFunction {
    static final String NAME = "SYSTEM$MIGRATE_SSV1_CHANNEL_OFFSET";
    private final SnowflakeEmulator emulator;
    private final HpStreamingService hp;

    ClassicOffsetMigration(SnowflakeEmulator emulator, HpStreamingService hp) {
        this.emulator = emulator;
        this.hp = hp;
    }

    @Override
    public String call(List<String> arguments, String database, String schema) {
        if (arguments.size() != 4) {
            throw new IllegalArgumentException(NAME + " takes 4 arguments (table, Classic channel, channel, pipe), got "
                    + arguments.size());
        }
        String table = Identifiers.qualify(arguments.get(0), database, schema);
        if (emulator.tables().find(table).isEmpty()) {
            throw new NoSuchElementException("Table '" + table + "' does not exist or not authorized.");
        }
        List<String> t = Identifiers.split(table);
        String pipe = Identifiers.normalize(arguments.get(3));
        String classic = arguments.get(1);
        ObjectNode answer = HttpJson.MAPPER.createObjectNode();
        Map.Entry<String, String> found = classicChannel(table, classic);
        answer.put("ssv1_channel_found", found != null);
        if (found == null || found.getValue() == null) {
            answer.putNull("migrated_offset");
            return answer.toString();
        }
        long offset;
        try {
            offset = Long.parseLong(found.getValue().trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("the Classic channel " + found.getKey() + " has the offset token '"
                    + found.getValue() + "', which is not a number");
        }
        hp.migrateCommittedToken(t.get(0), t.get(1), pipe, arguments.get(2), Long.toString(offset));
        answer.put("migrated_offset", offset);
        return answer.toString();
    }

    /** The Classic channel (its name and committed token) of the table, or null when there is none by that name. */
    private Map.Entry<String, String> classicChannel(String table, String name) {
        if (!StreamingService.sdkPresent()) {
            return null;
        }
        for (Map.Entry<String, String> e : StreamingService.of(emulator).committedOffsetTokens(table).entrySet()) {
            if (e.getKey().toUpperCase(Locale.ROOT).equals(name.toUpperCase(Locale.ROOT))) {
                return e;
            }
        }
        return null;
    }
}
