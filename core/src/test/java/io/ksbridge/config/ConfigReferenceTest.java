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
}
