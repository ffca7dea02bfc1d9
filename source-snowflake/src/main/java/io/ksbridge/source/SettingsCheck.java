package io.ksbridge.source;

import io.ksbridge.BridgeConfigException.Problem;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * What {@link SnowflakeToKafkaBridge.Builder#build()} checks across settings: the required ones and how they fit
 * together. Each problem names its setting, in the order the settings are checked. Stateless.
 */
final class SettingsCheck {
    /** Producer settings the bridge owns: exactly once depends on them. */
    static final List<String> OWNED = List.of(ProducerConfig.TRANSACTIONAL_ID_CONFIG, ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
            ProducerConfig.ACKS_CONFIG, ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG,
            ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG);

    private SettingsCheck() {
    }

    /** Every problem of these settings; empty when they make a bridge. */
    static List<Problem> problems(SourceSettings s) {
        List<Problem> problems = new ArrayList<>();
        if (s.name() == null) {
            problems.add(new Problem("name", "null", "a name is required: it makes the transactional id, the election group"
                    + " and the offsets topic"));
        }
        if (s.account() == null) {
            problems.add(new Problem("account", "null", "a Snowflake account is required"));
        } else if (s.account().warehouse().isEmpty()) {
            problems.add(new Problem("account.warehouse", "null", "this direction needs a warehouse ("
                    + (s.source().isChanges() ? "every CHANGES window and snapshot page is a query" : "the CTAS that consumes a"
                    + " stream and the reads of a batch run in one") + "); set SnowflakeAccount.Builder.warehouse"));
        }
        if (!s.producerProperties().containsKey(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG)) {
            problems.add(new Problem("producerProperties.bootstrap.servers", "null", "the Kafka cluster is required"));
        }
        for (String owned : OWNED) {
            if (s.producerProperties().containsKey(owned)) {
                problems.add(new Problem("producerProperties." + owned, String.valueOf(s.producerProperties().get(owned)),
                        "the bridge sets " + owned + " itself (exactly once depends on it); remove it"));
            }
        }
        if (s.tables().isEmpty()) {
            problems.add(new Problem("table", "[]", "at least one table is required"));
        }
        Set<String> seen = new HashSet<>();
        for (TableSpec t : s.tables()) {
            if (!seen.add(t.table())) {
                problems.add(new Problem("table", t.table(), "the table is configured twice"));
            }
        }
        for (TableSpec t : s.tables()) {
            if (t.topic().equals(s.offsetsTopic())) {
                problems.add(new Problem("table", t.table(), "its topic is the offsets topic " + s.offsetsTopic()
                        + "; give it another"));
            }
        }
        return problems;
    }
}
