package io.github.litestream.boot.autoconfigure;

import org.jspecify.annotations.Nullable;

/**
 * Thrown at startup when {@code litestream.*} configuration cannot work. It names the
 * offending property and says how to fix it; {@link LitestreamFailureAnalyzer} turns it into
 * the failure report Spring Boot prints.
 */
public class LitestreamConfigurationException extends RuntimeException {

	private final String property;

	private final String problem;

	private final String action;

	/**
	 * Creates an exception.
	 * @param property the offending property, such as {@code litestream.dbs[0].replicas[1].url}
	 * @param problem what is wrong with it
	 * @param action how to fix it
	 */
	public LitestreamConfigurationException(String property, String problem, String action) {
		this(property, problem, action, null);
	}

	/**
	 * Creates an exception with a cause.
	 * @param property the offending property
	 * @param problem what is wrong with it
	 * @param action how to fix it
	 * @param cause the underlying failure
	 */
	public LitestreamConfigurationException(String property, String problem, String action,
			@Nullable Throwable cause) {
		super(property + ": " + problem, cause);
		this.property = property;
		this.problem = problem;
		this.action = action;
	}

	/**
	 * The offending property.
	 * @return its full name
	 */
	public String getProperty() {
		return this.property;
	}

	/**
	 * What is wrong.
	 * @return the problem
	 */
	public String getProblem() {
		return this.problem;
	}

	/**
	 * How to fix it.
	 * @return the action
	 */
	public String getAction() {
		return this.action;
	}

}
