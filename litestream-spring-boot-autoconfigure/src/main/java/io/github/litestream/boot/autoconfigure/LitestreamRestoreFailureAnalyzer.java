package io.github.litestream.boot.autoconfigure;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Explains a {@link LitestreamRestoreException}: which database could not be restored from
 * which replica, why, and how to start anyway.
 */
class LitestreamRestoreFailureAnalyzer extends AbstractFailureAnalyzer<LitestreamRestoreException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, LitestreamRestoreException cause) {
		String prefix = cause.getDatabaseProperty();
		StringBuilder action = new StringBuilder();
		action.append("Make replica '")
			.append(cause.getReplicaName())
			.append("' readable and restart, or set ")
			.append(prefix)
			.append(".restore.enabled=false to start without restoring (a new generation then begins).");
		if (cause.isDamage()) {
			action.append(" To start from the newest intact backup instead (another replica's, or this one's ")
				.append("newest intact earlier point), set ")
				.append(prefix)
				.append(".restore.fall-back=true.");
		}
		return new FailureAnalysis(cause.getMessage(), action.toString(), cause);
	}

}
