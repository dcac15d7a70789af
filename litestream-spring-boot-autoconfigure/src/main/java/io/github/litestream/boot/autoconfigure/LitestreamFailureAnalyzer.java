package io.github.litestream.boot.autoconfigure;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;

/**
 * Explains a {@link LitestreamConfigurationException}: which property is wrong, why, and
 * what to change. First among the analyzers: a value refused while it was bound
 * ({@link LitestreamBindHandler}) is inside a {@code BindException}, which Spring Boot's own
 * analyzer would otherwise report without the action.
 */
@Order(Ordered.HIGHEST_PRECEDENCE)
class LitestreamFailureAnalyzer extends AbstractFailureAnalyzer<LitestreamConfigurationException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, LitestreamConfigurationException cause) {
		String description = "Invalid Litestream configuration for '" + cause.getProperty() + "': "
				+ cause.getProblem();
		if (cause.getCause() != null && cause.getCause().getMessage() != null) {
			description += " (" + cause.getCause().getMessage() + ")";
		}
		return new FailureAnalysis(description, cause.getAction(), cause);
	}

}
