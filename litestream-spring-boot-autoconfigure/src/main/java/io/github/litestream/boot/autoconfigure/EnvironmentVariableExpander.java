package io.github.litestream.boot.autoconfigure;

import java.util.Objects;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;

/**
 * Expands {@code $VAR} and {@code ${VAR}} references to environment variables the way
 * Litestream expands its configuration file ({@code os.ExpandEnv}): an unset variable becomes
 * the empty string (so an unset {@code ${LITESTREAM_ACCESS_KEY_ID}} leaves the credentials to
 * the default chain, an instance role, as with Litestream). An unset {@code ${VAR}} becomes
 * Spring's {@code ${VAR:}}: a property of that name from any source, even one added later
 * (a system property, {@code @DynamicPropertySource}), still resolves it when the properties
 * are bound, and otherwise it is empty; Spring's binder would keep {@code ${VAR}} as written.
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
				replacement = braced ? "${" + matcher.group(1) + ":}" : "";
			}
			matcher.appendReplacement(expanded, Matcher.quoteReplacement(replacement));
		}
		matcher.appendTail(expanded);
		return expanded.toString();
	}

}
