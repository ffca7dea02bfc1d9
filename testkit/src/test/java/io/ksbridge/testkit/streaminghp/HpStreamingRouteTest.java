package io.ksbridge.testkit.streaminghp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class HpStreamingRouteTest {
    @Test
    void parse_rowsPath_channelIsEverythingBetweenChannelsAndRows() {
        HpStreamingService.Route r = HpStreamingService.Route.parse(
                "/v2/streaming/data/databases/DB/schemas/PUBLIC/pipes/ORDERS-STREAMING/channels/a/b_0/rows");
        assertEquals(new HpStreamingService.Route("DB", "PUBLIC", "ORDERS-STREAMING", "a/b_0", "rows"), r);
    }

    @Test
    void parse_quotedPipeAndColonAction_resolvesLikeSnowflake() {
        HpStreamingService.Route r = HpStreamingService.Route.parse(
                "/v2/streaming/databases/db/schemas/s/pipes/\"Mixed-STREAMING\":bulk-channel-status");
        assertEquals(new HpStreamingService.Route("DB", "S", "Mixed-STREAMING", null, "bulk-channel-status"), r);
    }

    @Test
    void parse_openPath_hasNoAction() {
        HpStreamingService.Route r = HpStreamingService.Route.parse(
                "/v2/streaming/databases/DB/schemas/PUBLIC/pipes/T-STREAMING/channels/t_3");
        assertEquals("t_3", r.channel());
        assertEquals("", r.action());
    }

    @Test
    void parse_unknownPath_isNull() {
        assertNull(HpStreamingService.Route.parse("/v2/streaming/whatever"));
    }
}
