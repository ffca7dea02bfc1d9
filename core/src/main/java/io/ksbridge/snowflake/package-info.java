/**
 * Snowflake plumbing shared by the backends: {@link io.ksbridge.snowflake.SnowflakeAccount} (account URL, user,
 * role, key pair held as {@link io.ksbridge.Secret}), the key-pair JWT Snowflake's clients send, and
 * {@link io.ksbridge.snowflake.SqlApiClient}, a small client for Snowflake's SQL REST API
 * ({@code /api/v2/statements}) used for DDL and stage listing. JDK, Jackson and slf4j only: no Snowflake SDK.
 */
package io.ksbridge.snowflake;
