package io.ksbridge.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ConfigReferenceTest {

    @Test
    void docsConfigurationPage_matchesTheCode() throws Exception {
        Path page = Path.of("..", "docs", "configuration.md");
        if (Boolean.getBoolean("ksbridge.writeDocs")) {
            ConfigReference.main(new String[] {page.toString()});
        }
        assertTrue(Files.exists(page), "docs/configuration.md is missing: run ConfigReference.main");
        assertEquals(ConfigReference.markdown(), Files.readString(page, StandardCharsets.UTF_8),
                "docs/configuration.md is stale: regenerate it with "
                        + "`mvn -B -q -pl core test -Dtest=ConfigReferenceTest -Dksbridge.writeDocs=true`");
    }

    @Test
    void markdown_listsEveryKeyOnce() {
        String md = ConfigReference.markdown();
        for (BridgeConfig.Key key : BridgeConfig.keys()) {
            String cell = "| `" + key.name() + "` |";
            assertEquals(md.indexOf(cell), md.lastIndexOf(cell), key.name());
            assertTrue(md.contains(cell), key.name());
        }
    }

    @Test
    void markdown_listsEveryBackendSettingWithItsDefault() {
        String md = ConfigReference.markdown();
        for (BackendSettings.Setting s : BackendSettings.all()) {
            String row = "| " + s.backend() + " | `" + s.name() + "` | " + s.defaultText() + " | ";
            assertTrue(md.contains(row), row);
        }
        assertTrue(md.contains("| SNOWPIPE_STREAMING | `maxClientLag` | 1 s | 1 s to 10 min | `snowflake.streaming.max.client.lag`"
                + " (above) |"), md);
    }
}
