package io.github.litestream.boot.autoconfigure;

import java.util.Objects;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;

/**
 * Expands {@code $VAR} and {@code ${VAR}} references to environment variables the way
 * Litestream expands its configuration file: an unset {@code $VAR} becomes the empty string,
 * an unset {@code ${VAR}} is left for Spring's placeholder resolution (a system property,
 * another property, or a startup failure naming it).
 * Only plain variable names ({@code [A-Za-z_][A-Za-z0-9_]*}) are expanded, so Spring
 * placeholders such as {@code ${app.dir}} or {@code ${VAR:default}} are left for Spring to
 * resolve, and a {@code $} that starts no name stays as it is.
 */
final class EnvironmentVariableExpander {

	private static final Pattern REFERENCE = Pattern
		.compile("\\$(?:\\{([A-Za-z_][A-Za-z0-9_]*)\\}|([A-Za-z_][A-Za-z0-9_]*))");

	private final Function<String, @Nullable String> lookup;

	/**
	 * Creates an expander.
	 * @param lookup returns a variable's value, or {@code null} when it is unset
	 */
	EnvironmentVariableExpander(Function<String, @Nullable String> lookup) {
		this.lookup = Objects.requireNonNull(lookup, "lookup");
	}

	/**
	 * Expands every reference in a value.
	 * @param value the value, may be {@code null}
	 * @return the expanded value
	 */
	@Nullable String expand(@Nullable String value) {
		if (value == null || value.indexOf('$') < 0) {
			return value;
		}
		Matcher matcher = REFERENCE.matcher(value);
		StringBuilder expanded = new StringBuilder();
		while (matcher.find()) {
			boolean braced = matcher.group(1) != null;
			String replacement = this.lookup.apply(braced ? matcher.group(1) : matcher.group(2));
			if (replacement == null) {
				// ${NAME} is also Spring's placeholder: left for Spring, which resolves it from system
				// properties or other properties, or fails startup naming it, rather than an empty
				// secret that falls through to another credential.
				replacement = braced ? matcher.group() : "";
			}
			matcher.appendReplacement(expanded, Matcher.quoteReplacement(replacement));
		}
		matcher.appendTail(expanded);
		return expanded.toString();
	}

}
