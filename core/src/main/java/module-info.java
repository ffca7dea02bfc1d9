/**
 * ksbridge core: the bridge, its settings and events, the built-in formats, the backend SPI and the Snowflake
 * plumbing the backends share. Start at {@link io.ksbridge.KafkaToSnowflakeBridge#builder()}.
 *
 * <p>Exports only the public API packages; the engine ({@code io.ksbridge.internal.*}) is neither exported nor opened
 * to anyone, with two qualified exceptions: {@code io.ksbridge.internal.lane}, what the two Streaming backends share,
 * and {@code io.ksbridge.internal.schema}, the schematization every backend that writes columns shares, are exported
 * to those modules only (automatic modules; the qualified directive is inert when they are absent).
 */
@SuppressWarnings({"module", "requires-transitive-automatic", "requires-automatic"})
module io.ksbridge {
    uses io.ksbridge.config.TransformProvider;

    // ConsumerRecords, TopicPartition, OffsetAndMetadata, Headers and ConsumerRebalanceListener are in the API.
    // kafka-clients has no Automatic-Module-Name: its name comes from the jar's file name.
    requires transitive kafka.clients;
    // JsonOutput.generator() returns Jackson's JsonGenerator (jackson-core); databind is used only inside.
    requires transitive com.fasterxml.jackson.core;
    requires transitive com.fasterxml.jackson.databind; // TypedColumns.Column.value takes a JsonNode
    // SqlApiClient.Builder.httpClient(HttpClient) takes the JDK's HTTP client.
    requires transitive java.net.http;
    requires org.slf4j;
    // Optional (org.bouncycastle:bcpkix-jdk18on with bcprov): decrypts the encrypted private keys the JDK cannot,
    // DES3 and PBES1 ones. On the module path, resolve them with --add-modules org.bouncycastle.pkix.
    requires static org.bouncycastle.pkix;
    requires static org.bouncycastle.provider;

    exports io.ksbridge;
    exports io.ksbridge.config;
    exports io.ksbridge.format;
    exports io.ksbridge.format.registry;
    exports io.ksbridge.ingest;
    exports io.ksbridge.snowflake;

    // the partition lane and SDK error helpers both Streaming backends share
    exports io.ksbridge.internal.lane to io.ksbridge.ingest.streaming, io.ksbridge.ingest.streaminghp;
    // the connector's schematization, for every backend that writes columns
    exports io.ksbridge.internal.schema to io.ksbridge.ingest.snowpipe, io.ksbridge.ingest.streaming,
            io.ksbridge.ingest.streaminghp;
}
