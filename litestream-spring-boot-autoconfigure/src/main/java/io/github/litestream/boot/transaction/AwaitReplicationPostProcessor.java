package io.github.litestream.boot.transaction;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import io.github.litestream.ReplicaQuorum;
import org.jspecify.annotations.Nullable;

import org.springframework.aop.Pointcut;
import org.springframework.aop.framework.autoproxy.AbstractBeanFactoryAwareAdvisingPostProcessor;
import org.springframework.aop.support.ComposablePointcut;
import org.springframework.aop.support.DefaultPointcutAdvisor;
import org.springframework.aop.support.StaticMethodMatcher;
import org.springframework.aop.support.annotation.AnnotationClassFilter;
import org.springframework.aop.support.annotation.AnnotationMatchingPointcut;
import org.springframework.aop.support.AopUtils;
import org.springframework.beans.factory.BeanInitializationException;
import org.springframework.boot.convert.DurationStyle;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.transaction.ConfigurableTransactionManager;
import org.springframework.util.ClassUtils;
import org.springframework.util.ReflectionUtils;
import org.springframework.util.StringUtils;

/**
 * Proxies the beans with {@link AwaitReplication} methods, like Spring's
 * {@code MethodValidationPostProcessor} does for {@code @Validated}: it needs no AspectJ and no
 * auto-proxy creator. Its advice goes after the bean's existing advisors, so inside the
 * transaction interceptor. The annotations' values are checked when the bean is created, not
 * at the first call (which would be after its commit). In an application with such a bean it
 * also adds {@link CommitPhase} to every transaction manager, which tells a method called from a
 * {@code afterCommit} callback to wait at once.
 */
public class AwaitReplicationPostProcessor extends AbstractBeanFactoryAwareAdvisingPostProcessor {

	/** The transaction managers created so far. */
	private final List<ConfigurableTransactionManager> managers = new ArrayList<>();

	/** Whether a bean with {@link AwaitReplication} methods was created. */
	private boolean awaiting;

	/**
	 * Creates the post-processor.
	 * @param awaiter what waits, looked up at the first call (post-processors are created
	 * before the engine)
	 */
	public AwaitReplicationPostProcessor(Supplier<ReplicationAwaiter> awaiter) {
		// On a class: its public methods, not those of Object (toString must not wait).
		Pointcut onClass = new ComposablePointcut(new AnnotationClassFilter(AwaitReplication.class, true),
				new StaticMethodMatcher() {

					@Override
					public boolean matches(Method method, Class<?> targetClass) {
						return Modifier.isPublic(method.getModifiers()) && method.getDeclaringClass() != Object.class
								&& !ReflectionUtils.isObjectMethod(method);
					}

				});
		Pointcut pointcut = new ComposablePointcut(new AnnotationMatchingPointcut(null, AwaitReplication.class, true))
			.union(onClass);
		this.advisor = new DefaultPointcutAdvisor(pointcut,
				new AwaitReplicationInterceptor(() -> awaiter.get().begin()));
		setBeforeExistingAdvisors(false);
	}

	@Override
	public Object postProcessAfterInitialization(Object bean, String beanName) {
		if (bean instanceof ConfigurableTransactionManager manager) {
			managerCreated(manager);
		}
		if (!isEligible(bean, beanName)) {
			return bean;
		}
		awaitingBeanCreated();
		Class<?> type = AopUtils.getTargetClass(bean);
		check(beanName, type.getName(), AnnotatedElementUtils.findMergedAnnotation(type, AwaitReplication.class));
		ReflectionUtils.doWithMethods(ClassUtils.getUserClass(type), (method) -> check(beanName,
				type.getName() + "." + method.getName(), AnnotatedElementUtils.findMergedAnnotation(method,
						AwaitReplication.class)));
		return super.postProcessAfterInitialization(bean, beanName);
	}

	/**
	 * So that a method called from another transaction's afterCommit waits (see
	 * {@link CommitPhase}), every transaction manager gets the listener, but only in an
	 * application with an {@link AwaitReplication} bean: the others' transactions carry no marker.
	 */
	private synchronized void managerCreated(ConfigurableTransactionManager manager) {
		this.managers.add(manager);
		if (this.awaiting) {
			addCommitPhase(manager);
		}
	}

	private synchronized void awaitingBeanCreated() {
		if (!this.awaiting) {
			this.awaiting = true;
			this.managers.forEach(AwaitReplicationPostProcessor::addCommitPhase);
		}
	}

	private static void addCommitPhase(ConfigurableTransactionManager manager) {
		if (manager.getTransactionExecutionListeners().stream().noneMatch(CommitPhase.class::isInstance)) {
			manager.addListener(new CommitPhase());
		}
	}

	private static void check(String beanName, String where, @Nullable AwaitReplication annotation) {
		if (annotation == null) {
			return;
		}
		try {
			if (StringUtils.hasText(annotation.replicas())) {
				ReplicaQuorum.parse(annotation.replicas());
			}
			if (StringUtils.hasText(annotation.timeout())) {
				DurationStyle.detectAndParse(annotation.timeout());
			}
		}
		catch (IllegalArgumentException ex) {
			throw new BeanInitializationException("Invalid @AwaitReplication on " + where + " (bean '" + beanName
					+ "'): " + ex.getMessage() + "; write replicas as \"1\" or \"all\" and timeout as \"500ms\" or \"2s\"",
					ex);
		}
	}

}
