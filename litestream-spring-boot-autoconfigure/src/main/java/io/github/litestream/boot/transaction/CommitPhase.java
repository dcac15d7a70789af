package io.github.litestream.boot.transaction;

import org.jspecify.annotations.Nullable;

import org.springframework.core.Ordered;
import org.springframework.transaction.TransactionExecution;
import org.springframework.transaction.TransactionExecutionListener;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Tells whether the transaction synchronizations of the current thread are those of a
 * transaction that committed and is running its {@code afterCommit} callbacks. Spring runs
 * those over a copy of the list: a synchronization registered by one of them (an
 * {@link AwaitReplication} method called from another transaction's {@code afterCommit}) never
 * gets its own {@code afterCommit}, so its wait must run at once instead. Spring has no API for
 * the phase; this listener, added to every transaction manager, registers a marker in each new
 * transaction that runs first among its {@code afterCommit} callbacks and notes that the
 * phase began. (During {@code afterCompletion} the synchronizations are no longer active, which
 * {@link TransactionSynchronizationManager#isSynchronizationActive()} tells by itself.)
 */
final class CommitPhase implements TransactionExecutionListener {

	@Override
	public void afterBegin(TransactionExecution transaction, @Nullable Throwable beginFailure) {
		if (beginFailure == null && TransactionSynchronizationManager.isSynchronizationActive()
				&& marker() == null) {
			TransactionSynchronizationManager.registerSynchronization(new Marker());
		}
	}

	/**
	 * Whether the current synchronizations are those of a transaction running its
	 * {@code afterCommit} callbacks: one registered now would not be called after the commit.
	 * @return {@code true} in that phase, {@code false} otherwise or if unknown (a transaction
	 * manager without this listener, a scope without an actual transaction)
	 */
	static boolean afterCommit() {
		Marker marker = TransactionSynchronizationManager.isSynchronizationActive() ? marker() : null;
		return marker != null && marker.committed;
	}

	private static @Nullable Marker marker() {
		for (TransactionSynchronization synchronization : TransactionSynchronizationManager.getSynchronizations()) {
			if (synchronization instanceof Marker marker) {
				return marker;
			}
		}
		return null;
	}

	/** Notes that its transaction's {@code afterCommit} callbacks began; it runs first of them. */
	private static final class Marker implements TransactionSynchronization {

		private boolean committed;

		@Override
		public int getOrder() {
			return Ordered.HIGHEST_PRECEDENCE;
		}

		@Override
		public void afterCommit() {
			this.committed = true;
		}

	}

}
