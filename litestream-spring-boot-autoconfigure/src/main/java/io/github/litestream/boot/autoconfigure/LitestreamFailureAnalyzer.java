package io.github.litestream.boot.autoconfigure;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Explains a {@link LitestreamConfigurationException}: which property is wrong, why, and
 * what to change.
 */
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
