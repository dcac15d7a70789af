package io.github.litestream.boot.actuate;

import org.springframework.boot.actuate.endpoint.SanitizingFunction;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.context.annotation.Bean;

/**
 * Keeps age identities out of the actuator's {@code env} and {@code configprops} endpoints
 * even when an application turns their values on ({@code show-values}): any value holding an
 * {@code AGE-SECRET-KEY-1…} is shown as {@code ******}, whatever its key (Spring's own rules
 * match key names such as {@code password}, and {@code age.identities} is not one).
 */
@AutoConfiguration
@ConditionalOnClass(name = "org.springframework.boot.actuate.endpoint.SanitizingFunction")
public final class LitestreamSanitizingAutoConfiguration {

	@Bean
	SanitizingFunction litestreamAgeIdentitySanitizer() {
		return SanitizingFunction.sanitizeValue().ifValueStringMatches("(?is).*AGE-SECRET-KEY-1.*");
	}

}
