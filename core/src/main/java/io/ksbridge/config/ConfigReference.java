package io.ksbridge.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Renders {@code docs/configuration.md}, the reference of every connector-style key {@link BridgeConfig} reads,
 * from {@link BridgeConfig#keys()}: the page cannot drift from the code (a test compares them).
 *
 * <p>Regenerate after changing a key:
 * {@code mvn -B -q -pl core test -Dtest=ConfigReferenceTest -Dksbridge.writeDocs=true}.
 */
public final class ConfigReference {
    private ConfigReference() {
    }

    /** The whole page, Markdown. */
    public static String markdown() {
        StringBuilder b = new StringBuilder();
        b.append("# Configuration reference\n\n");
        b.append("Generated from `io.ksbridge.config.BridgeConfig` by `io.ksbridge.config.ConfigReference`; do not edit ")
                .append("by hand (a test fails when this page and the code disagree).\n\n");
        b.append("`BridgeConfig.from(properties)` reads the Snowflake Kafka connector's property names, so a connector ")
                .append("configuration can be brought as it is. Every key maps onto a typed builder setting; ")
                .append("unknown `snowflake.*`, `buffer.*` and `jvm.*` keys are errors, each named, so a typo never goes unnoticed.\n\n");
        b.append("| key | type | default | valid values | description |\n");
        b.append("|---|---|---|---|---|\n");
        for (BridgeConfig.Key key : BridgeConfig.keys()) {
            b.append("| `").append(key.name()).append("` | ")
                    .append(key.type().name().toLowerCase(java.util.Locale.ROOT)).append(" | ")
                    .append(key.defaultValue() == null ? "(none)" : cell(key.defaultValue())).append(" | ")
                    .append(cell(key.validValues())).append(" | ")
                    .append(cell(key.doc())).append(" |\n");
        }
        b.append("\n## Transforms\n\n");
        b.append("`transforms=a,b` lists aliases; `transforms.<alias>.type` names a ksbridge transform below, or a Kafka ")
                .append("Connect `Transformation` class (`org.apache.kafka.connect.transforms.MaskField$Value`), which needs the ")
                .append("module `").append(TransformSettings.CONNECT_MODULE).append("` on the class path (without it the ")
                .append("key is refused, naming the module). Connect transformations take their own settings as in the ")
                .append("connector; Connect predicates are not supported. Unknown settings of a ksbridge transform are ")
                .append("errors.\n\n");
        b.append("| type | setting | description |\n|---|---|---|\n");
        for (TransformSettings.BuiltIn t : TransformSettings.BUILT_INS) {
            b.append("| `").append(t.type()).append("` | | ").append(cell(t.doc())).append(" |\n");
            t.settings().forEach((k, doc) -> b.append("| | `transforms.<alias>.").append(k).append("` | ")
                    .append(cell(doc)).append(" |\n"));
        }
        b.append("\n## Backend builder settings\n\n");
        b.append("The tuning settings of `SnowpipeBackend.builder()` and `StreamingBackend.builder()`, from ")
                .append("`io.ksbridge.config.BackendSettings`: one name per concept in both builders (`writerThreads`, ")
                .append("`statusPollInterval`, `closeTimeout`), one default and range each. A setting with a connector key ")
                .append("above takes its default from here. The old names `uploadParallelism`, `closeWait` and ")
                .append("`commitPollInterval` still work, deprecated.\n\n");
        b.append("| backend | setting | default | valid values | connector key | description |\n");
        b.append("|---|---|---|---|---|---|\n");
        for (BackendSettings.Setting s : BackendSettings.all()) {
            b.append("| ").append(s.backend()).append(" | `").append(s.name()).append("` | ")
                    .append(cell(s.defaultText())).append(" | ")
                    .append(s.validValues().isEmpty() ? "" : cell(s.validValues())).append(" | ")
                    .append(s.key().map(k -> "`" + k + "` (above)").orElse("")).append(" | ")
                    .append(cell(s.doc())).append(" |\n");
        }
        b.append("\n## Proxy\n\n");
        b.append("The connector's `jvm.proxy.*` keys set JVM-wide system properties (`http.proxyHost`, ...), which reach every ")
                .append("other client in the JVM. ksbridge reads the same keys into the account's `ProxySettings` and applies ")
                .append("them to its own HTTP clients alone (the SQL API client: a `ProxySelector` on that `HttpClient` and, ")
                .append("with a user, a Basic `Proxy-Authorization` header on its requests); it never sets a system property. ")
                .append("For `https` through a proxy that wants credentials, the JDK sends them with `CONNECT` only when the ")
                .append("JVM runs with `-Djdk.http.auth.tunneling.disabledSchemes=` (Basic is disabled for tunnels by default). ")
                .append("The Snowflake ingest SDK ")
                .append("takes a proxy only from JVM-wide system properties, so the Snowpipe and Streaming backends refuse an ")
                .append("account with a proxy, naming the setting. To send the SDK through a proxy anyway, start the JVM with ")
                .append("`-Dhttp.useProxy=true -Dhttp.proxyHost=... -Dhttp.proxyPort=...` yourself, knowing it applies JVM-wide, ")
                .append("and leave `jvm.proxy.*` unset.\n");
        b.append("\n## Private keys\n\n");
        b.append("`snowflake.private.key` takes the user's RSA private key in PKCS#8: PEM, or its base64 body on one line ")
                .append("(as the connector takes it) or wrapped. Encrypted or not is read from the key, and ")
                .append("`snowflake.private.key.passphrase` must be set exactly when it is encrypted. The forms and the ")
                .append("OpenSSL commands that make them:\n\n");
        b.append("| made with | needs |\n|---|---|\n");
        b.append("| `openssl pkcs8 -topk8 -inform PEM -in rsa.pem -out rsa_key.p8 -nocrypt` | the JDK |\n");
        b.append("| `openssl pkcs8 -topk8 -v2 aes256 -inform PEM -in rsa.pem -out rsa_key.p8` (or `-v2 aes128`; ")
                .append("`-v2prf hmacWithSHA1`, `hmacWithSHA256`, `hmacWithSHA512`) | the JDK |\n");
        b.append("| `openssl pkcs8 -topk8 -v2 des3 -inform PEM -in rsa.pem -out rsa_key.p8` (Snowflake's key-pair guide) ")
                .append("| `org.bouncycastle:bcpkix-jdk18on` |\n");
        b.append("| `-v2 aes192`, `-scrypt`, `-v1 PBE-SHA1-3DES`, `-v1 PBE-MD5-DES`, `-v1 PBE-SHA1-DES`, ")
                .append("`-v1 PBE-SHA1-RC2-64` | `org.bouncycastle:bcpkix-jdk18on` |\n\n");
        b.append("Bouncy Castle is an optional dependency of ksbridge-core; add it when the key needs it:\n\n");
        b.append("```xml\n<dependency><groupId>org.bouncycastle</groupId><artifactId>bcpkix-jdk18on</artifactId>")
                .append("<version>1.87</version></dependency>\n```\n");
        return b.toString();
    }

    private static String cell(String text) {
        return text.replace("|", "\\|").replace("\n", " ");
    }

    /** Writes the page to the file named by the first argument (default {@code docs/configuration.md}). */
    public static void main(String[] args) throws IOException {
        Path out = Path.of(args.length > 0 ? args[0] : "docs/configuration.md");
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, markdown(), StandardCharsets.UTF_8);
        System.out.println("wrote " + out.toAbsolutePath());
    }
}
