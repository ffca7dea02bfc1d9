package io.ksbridge.chaos;

import io.ksbridge.Secret;
import io.ksbridge.snowflake.SnowflakeAccount;
import io.ksbridge.source.SnowflakeToKafkaBridge;
import io.ksbridge.source.SourceListener;
import io.ksbridge.source.TableSpec;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * A worker JVM of {@link SourceChaosRunner}: one {@link SnowflakeToKafkaBridge} publishing a table of the
 * coordinator's emulator to its broker, until killed (SIGKILL) or its stdin closes. Prints {@code ACTIVE} and
 * {@code STANDBY} as it gains and loses the active role, and {@code COMMIT seq records} per Kafka transaction. The
 * private key comes in {@link ChaosWorker#KEY_ENV}, never on the command line.
 */
public final class SourceChaosWorker {
    private SourceChaosWorker() {
    }

    /** {@code --url U --user U --role R --bootstrap B --name N --table T --topic T --tx-rows N}. */
    public static void main(String[] args) throws Exception {
        Map<String, String> a = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            a.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        String key = System.getenv(ChaosWorker.KEY_ENV);
        if (key == null) {
            throw new IllegalArgumentException("the private key is missing: set " + ChaosWorker.KEY_ENV);
        }
        SnowflakeAccount account = SnowflakeAccount.builder().url(a.get("url")).allowInsecureHttp().user(a.get("user"))
                .role(a.get("role")).warehouse("CHAOS_WH").privateKey(Secret.of(key)).build();
        SnowflakeToKafkaBridge bridge = SnowflakeToKafkaBridge.builder().name(a.get("name")).account(account)
                .producerProperties(Map.of("bootstrap.servers", a.get("bootstrap"), "linger.ms", "0"))
                .table(TableSpec.of(a.get("table")).topic(a.get("topic")))
                .maxTransactionRows(Integer.parseInt(a.getOrDefault("tx-rows", "25")))
                .pollInterval(Duration.ofMillis(50)).electionTimeout(Duration.ofSeconds(6)).transactionTimeout(Duration.ofSeconds(20))
                .listener(new SourceListener() {
                    @Override
                    public void onLeadership(boolean active) {
                        System.out.println(active ? "ACTIVE" : "STANDBY");
                    }

                    @Override
                    public void onCommit(CommitEvent e) {
                        System.out.println("COMMIT " + e.seq() + " " + e.records());
                    }

                    @Override
                    public void onFailure(Throwable failure) {
                        System.out.println("FAILED " + failure);
                    }
                }).build();
        bridge.start();
        System.out.println("STARTED");
        while (System.in.read() >= 0) {
            // the coordinator closes stdin to stop this worker cleanly
        }
        bridge.close(Duration.ofSeconds(10));
        System.out.println("STOPPED " + bridge.failure().map(Throwable::toString).orElse("cleanly"));
    }
}
