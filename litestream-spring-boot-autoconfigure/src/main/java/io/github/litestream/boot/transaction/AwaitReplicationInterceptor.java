package io.github.litestream.boot.transaction;

import java.lang.reflect.Method;

import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;
import org.jspecify.annotations.Nullable;

import org.springframework.aop.support.AopUtils;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.util.StringUtils;

/**
 * Runs the wait of an {@link AwaitReplication} method: after the commit of the transaction it
 * runs in, as an {@code afterCommit} callback registered when the method ends (after the
 * callbacks the method registered; Spring runs {@code AFTER_COMMIT} transactional event
 * listeners later, once the transaction completed, so they act on replicated data), or after
 * it returned or threw when it runs in none (auto-commit writes before an exception are
 * committed too). The post-processor places it
 * inside the transaction interceptor, so a {@code REQUIRES_NEW} method waits for its own commit,
 * not its caller's. A method called from another transaction's {@code afterCommit} callback
 * (whose commits are made by then: in a transaction of its own, or on another DataSource) waits
 * before it returns, as one called outside any transaction does: Spring would never call a
 * synchronization registered then (see {@link CommitPhase}).
 */
public final class AwaitReplicationInterceptor implements MethodInterceptor {

	private final ReplicationAwaiter awaiter;

	/**
	 * Creates an interceptor.
	 * @param awaiter what waits
	 */
	public AwaitReplicationInterceptor(ReplicationAwaiter awaiter) {
		this.awaiter = awaiter;
	}

	@Override
	public @Nullable Object invoke(MethodInvocation invocation) throws Throwable {
		AwaitReplication settings = settings(invocation);
		ReplicationAwaiter.Pending pending = this.awaiter.begin();
		// In another transaction's afterCommit callbacks, a synchronization registered now would
		// never get its afterCommit: the method's commits are made, so it waits at once below.
		if (TransactionSynchronizationManager.isSynchronizationActive() && !CommitPhase.afterCommit()) {
			try {
				return invocation.proceed();
			}
			finally {
				// A method that throws may still commit (a checked exception, noRollbackFor).
				TransactionSynchronizationManager.registerSynchronization(new AfterCommit(pending, settings));
			}
		}
		Object result;
		try {
			result = invocation.proceed();
		}
		catch (Throwable ex) {
			try {
				await(pending, settings);
			}
			catch (NotReplicatedException notReplicated) {
				ex.addSuppressed(notReplicated);
			}
			throw ex;
		}
		await(pending, settings);
		return result;
	}

	/**
	 * The wait after the transaction's commit. Where its {@code afterCommit} is not called for a
	 * commit (registered during another scope's {@code afterCommit} where {@link CommitPhase}
	 * cannot tell the phase: a scope without an actual transaction, a transaction manager that is
	 * no {@code ConfigurableTransactionManager}; or an earlier callback threw), Spring still calls
	 * its {@code afterCompletion}: it waits there, where a failure can only be logged (Spring
	 * does).
	 */
	private static final class AfterCommit implements TransactionSynchronization {

		private final ReplicationAwaiter.Pending pending;

		private final @Nullable AwaitReplication settings;

		private boolean waited;

		AfterCommit(ReplicationAwaiter.Pending pending, @Nullable AwaitReplication settings) {
			this.pending = pending;
			this.settings = settings;
		}

		@Override
		public void afterCommit() {
			this.waited = true;
			await(this.pending, this.settings);
		}

		@Override
		public void afterCompletion(int status) {
			if (status == STATUS_COMMITTED && !this.waited) {
				this.waited = true;
				await(this.pending, this.settings);
			}
		}

	}

	private static void await(ReplicationAwaiter.Pending pending, @Nullable AwaitReplication settings) {
		String replicas = (settings != null && StringUtils.hasText(settings.replicas())) ? settings.replicas() : null;
		String timeout = (settings != null && StringUtils.hasText(settings.timeout())) ? settings.timeout() : null;
		pending.await(replicas, timeout);
	}

	private static @Nullable AwaitReplication settings(MethodInvocation invocation) {
		Object target = invocation.getThis();
		Class<?> type = (target != null) ? AopUtils.getTargetClass(target) : invocation.getMethod().getDeclaringClass();
		Method method = AopUtils.getMostSpecificMethod(invocation.getMethod(), type);
		AwaitReplication annotation = AnnotatedElementUtils.findMergedAnnotation(method, AwaitReplication.class);
		return (annotation != null) ? annotation : AnnotatedElementUtils.findMergedAnnotation(type, AwaitReplication.class);
	}

}
