package io.github.litestream.boot.transaction;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Makes a method return only once what it committed is stored in the replicas, for the few
 * operations that must survive the loss of the local disk (a payment, an order) while the
 * rest of the application commits without waiting ({@code synchronous-replication=off}).
 *
 * <p>Inside a transaction ({@code @Transactional}, in either order) the wait runs right after
 * the commit; without one, after the method returned. If the replicas do not store the
 * commits in time, the method throws {@link NotReplicatedException}: they stay committed
 * locally and are still shipped, so the operation must not be repeated. On a class, it
 * applies to every public method.
 */
@Target({ ElementType.METHOD, ElementType.TYPE })
@Retention(RetentionPolicy.RUNTIME)
@Inherited
@Documented
public @interface AwaitReplication {

	/**
	 * How many replicas must store the commits: {@code 1} (any one) or {@code all}. Empty for
	 * each database's {@code synchronous-replicas} (default 1).
	 * @return the quorum
	 */
	String replicas() default "";

	/**
	 * How long to wait at most, such as {@code 2s} or {@code 500ms}. Empty for each
	 * database's {@code synchronous-timeout} (default 5s).
	 * @return the timeout
	 */
	String timeout() default "";

}
