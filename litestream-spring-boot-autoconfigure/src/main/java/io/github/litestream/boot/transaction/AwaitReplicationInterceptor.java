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
 * runs in, or after it returned when it runs in none. Works whichever of this and the
 * transaction interceptor comes first.
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
		if (TransactionSynchronizationManager.isSynchronizationActive()) {
			TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {

				@Override
				public void afterCommit() {
					await(settings);
				}

			});
			return invocation.proceed();
		}
		Object result = invocation.proceed();
		await(settings);
		return result;
	}

	private void await(@Nullable AwaitReplication settings) {
		String replicas = (settings != null && StringUtils.hasText(settings.replicas())) ? settings.replicas() : null;
		String timeout = (settings != null && StringUtils.hasText(settings.timeout())) ? settings.timeout() : null;
		this.awaiter.await(replicas, timeout);
	}

	private static @Nullable AwaitReplication settings(MethodInvocation invocation) {
		Object target = invocation.getThis();
		Class<?> type = (target != null) ? AopUtils.getTargetClass(target) : invocation.getMethod().getDeclaringClass();
		Method method = AopUtils.getMostSpecificMethod(invocation.getMethod(), type);
		AwaitReplication annotation = AnnotatedElementUtils.findMergedAnnotation(method, AwaitReplication.class);
		return (annotation != null) ? annotation : AnnotatedElementUtils.findMergedAnnotation(type, AwaitReplication.class);
	}

}
