package io.ksbridge.spring.boot;

import org.springframework.boot.actuate.endpoint.SanitizingFunction;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * Masks ksbridge's secrets in {@code /actuator/env} and {@code /actuator/configprops} even when an application sets
 * those endpoints to show values ({@code management.endpoint.*.show-values=always}): every key containing
 * {@code private-key} / {@code privateKey} / {@code private_key} / {@code private.key} or {@code passphrase}, in any
 * case, from any property source (so {@code KSBRIDGE_SNOWFLAKE_PRIVATEKEY} and the connector's
 * {@code snowflake.private.key} too). Active whether or not {@code ksbridge.enabled} is set: the secrets may sit in
 * the property sources either way.
 */
@AutoConfiguration
@ConditionalOnClass(name = "org.springframework.boot.actuate.endpoint.SanitizingFunction")
public class KsbridgeSanitizingAutoConfiguration {

    /** The key patterns masked, case-insensitive. */
    static final String[] SECRET_KEYS = {".*private[-_.]?key.*", ".*passphrase.*"};

    @Bean
    @ConditionalOnMissingBean(name = "ksbridgeSanitizingFunction")
    public SanitizingFunction ksbridgeSanitizingFunction() {
        return SanitizingFunction.sanitizeValue().ifKeyMatches(SECRET_KEYS);
    }
}
