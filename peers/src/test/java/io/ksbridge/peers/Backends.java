package io.ksbridge.peers;

import io.ksbridge.config.BridgeConfig;
import io.ksbridge.ingest.IngestBackend;
import io.ksbridge.ingest.snowpipe.SnowpipeBackend;
import io.ksbridge.ingest.streaming.StreamingBackend;
import java.time.Duration;
import java.util.Locale;

/** The backend the migration guide's {@code switch} builds from a connector's properties. */
final class Backends {
    private Backends() {
    }

    static IngestBackend fromConfig(BridgeConfig config) {
        return switch (config.ingestionMethod()) {
            case SNOWPIPE -> SnowpipeBackend.builder().account(config.account())
                    .database(config.database().orElseThrow()).schema(config.schema().orElseThrow())
                    // the guide: the connector's name, to reuse its stage and pipes
                    .connectorName(config.name().orElseThrow().toUpperCase(Locale.ROOT))
                    .statusPollInterval(Duration.ofMillis(200))
                    .build();
            case SNOWPIPE_STREAMING -> StreamingBackend.builder().account(config.account())
                    .database(config.database().orElseThrow()).schema(config.schema().orElseThrow())
                    .maxClientLag(config.streamingMaxClientLag())
                    .build();
        };
    }
}
