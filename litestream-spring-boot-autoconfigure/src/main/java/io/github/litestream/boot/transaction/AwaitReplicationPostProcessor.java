package io.github.litestream.boot.transaction;

import java.util.function.Supplier;

import org.springframework.aop.Pointcut;
import org.springframework.aop.framework.autoproxy.AbstractBeanFactoryAwareAdvisingPostProcessor;
import org.springframework.aop.support.ComposablePointcut;
import org.springframework.aop.support.DefaultPointcutAdvisor;
import org.springframework.aop.support.annotation.AnnotationMatchingPointcut;

/**
 * Proxies the beans with {@link AwaitReplication} methods, like Spring's
 * {@code MethodValidationPostProcessor} does for {@code @Validated}: it needs no AspectJ and no
 * auto-proxy creator.
 */
public class AwaitReplicationPostProcessor extends AbstractBeanFactoryAwareAdvisingPostProcessor {

	/**
	 * Creates the post-processor.
	 * @param awaiter what waits, looked up at the first call (post-processors are created
	 * before the engine)
	 */
	public AwaitReplicationPostProcessor(Supplier<ReplicationAwaiter> awaiter) {
		Pointcut pointcut = new ComposablePointcut(new AnnotationMatchingPointcut(AwaitReplication.class, true))
			.union(new AnnotationMatchingPointcut(null, AwaitReplication.class, true));
		this.advisor = new DefaultPointcutAdvisor(pointcut,
				new AwaitReplicationInterceptor((replicas, timeout) -> awaiter.get().await(replicas, timeout)));
		setBeforeExistingAdvisors(true);
	}

}
