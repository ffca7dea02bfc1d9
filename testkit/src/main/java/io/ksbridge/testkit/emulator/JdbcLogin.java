package io.ksbridge.testkit.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/**
 * One JDBC driver login the emulator accepted, as the driver sent it.
 *
 * @param loginName         the user the driver signed in as
 * @param clientAppId       the driver's {@code CLIENT_APP_ID} ({@code JDBC} for Snowflake's JDBC driver)
 * @param clientAppVersion  the driver's version ({@code 3.28.0})
 * @param clientEnvironment the driver's {@code CLIENT_ENVIRONMENT} object (a copy; it carries {@code PLATFORM} only
 *                          when the driver ran its cloud platform detection)
 * @param at                when the login arrived
 */
public record JdbcLogin(String loginName, String clientAppId, String clientAppVersion, JsonNode clientEnvironment,
                        Instant at) {
}
