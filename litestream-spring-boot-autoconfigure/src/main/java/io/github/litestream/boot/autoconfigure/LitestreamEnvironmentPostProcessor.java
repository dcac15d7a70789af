package io.github.litestream.boot.autoconfigure;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.context.properties.source.IterableConfigurationPropertySource;
import org.springframework.boot.env.OriginTrackedMapPropertySource;
import org.springframework.boot.origin.OriginTrackedValue;
import org.springframework.core.Ordered;
import org.springframework.core.env.CommandLinePropertySource;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.PropertySource;
import org.springframework.core.env.StandardEnvironment;

/**
 * Expands {@code $VAR} and {@code ${VAR}} environment variable references in
 * {@code litestream.*} values, so a {@code litestream.yml} pasted into
 * {@code application.yml} keeps working. Expanded values are added as a property source of
 * highest precedence holding only the values that changed (and, when one of them is in
 * {@code litestream.dbs}, that whole list, which Spring binds from one source); nothing
 * outside {@code litestream.*} is touched. Set {@code litestream.expand-env=false} to turn it off.
 *
 * <p>It runs after the application's configuration files are loaded, so it sees their
 * values. Because expansion happens before binding, it works for durations and numbers too.
 *
 * <p>It also puts there the {@code litestream.dbs} list with the values that command-line
 * arguments, system properties and environment variables set merged into it key by key
 * ({@link DatabaseListOverrides}), whether or not expansion is on.
 */
public final class LitestreamEnvironmentPostProcessor implements EnvironmentPostProcessor, Ordered {

	/** Name of the property source holding the expanded values. */
	public static final String PROPERTY_SOURCE_NAME = "litestreamExpandedEnvironmentVariables";

	private static final ConfigurationPropertyName PREFIX = ConfigurationPropertyName.of("litestream");

	private static final ConfigurationPropertyName DBS = ConfigurationPropertyName.of("litestream.dbs");

	private static final Set<String> PROCESS_SOURCES = Set.of(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
			StandardEnvironment.SYSTEM_PROPERTIES_PROPERTY_SOURCE_NAME,
			CommandLinePropertySource.COMMAND_LINE_PROPERTY_SOURCE_NAME);

	private final EnvironmentVariableExpander expander;

	/**
	 * Creates a post-processor that reads the process environment.
	 */
	public LitestreamEnvironmentPostProcessor() {
		this(System::getenv);
	}

	LitestreamEnvironmentPostProcessor(UnaryOperator<String> environmentVariables) {
		this.expander = new EnvironmentVariableExpander(environmentVariables);
	}

	@Override
	public int getOrder() {
		return Ordered.LOWEST_PRECEDENCE;
	}

	@Override
	public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
		if (environment.getPropertySources().contains(PROPERTY_SOURCE_NAME)) {
			return;
		}
		boolean expand = Binder.get(environment).bind("litestream.expand-env", Boolean.class).orElse(true);
		Map<String, Object> values = expand ? expandedValues(environment) : new LinkedHashMap<>();
		List<IterableConfigurationPropertySource> sources = iterableSources(environment);
		Map<ConfigurationPropertyName, Object> dbs = DatabaseListOverrides.merge(sources);
		if (dbs != null) {
			Set<ConfigurationPropertyName> verbatim = fromTheProcess(sources);
			values.keySet().removeIf(LitestreamEnvironmentPostProcessor::isDbsKey);
			dbs.forEach((name, value) -> values.put(name.toString(),
					(expand && !verbatim.contains(name)) ? expand(value) : value));
		}
		if (!values.isEmpty()) {
			// Origin-tracked, so that an error in a value names the file and line it came from.
			environment.getPropertySources().addFirst(new OriginTrackedMapPropertySource(PROPERTY_SOURCE_NAME, values));
		}
	}

	private static List<IterableConfigurationPropertySource> iterableSources(ConfigurableEnvironment environment) {
		List<IterableConfigurationPropertySource> sources = new ArrayList<>();
		for (ConfigurationPropertySource source : ConfigurationPropertySources.from(environment.getPropertySources())) {
			if (source instanceof IterableConfigurationPropertySource iterable) {
				sources.add(iterable);
			}
		}
		return sources;
	}

	private Map<String, Object> expandedValues(ConfigurableEnvironment environment) {
		Map<String, Object> seen = new LinkedHashMap<>();
		Map<String, Object> expanded = new LinkedHashMap<>();
		IterableConfigurationPropertySource dbsSource = null;
		for (ConfigurationPropertySource source : ConfigurationPropertySources
			.from(environment.getPropertySources())) {
			if (!(source instanceof IterableConfigurationPropertySource iterable)) {
				continue;
			}
			if (dbsSource == null && iterable.filter(DBS::isAncestorOf).stream().findAny().isPresent()) {
				dbsSource = iterable;
			}
			iterable.filter(PREFIX::isAncestorOf).forEach((name) -> {
				String key = name.toString();
				if (seen.containsKey(key)) {
					return; // a source of higher precedence already provided this value
				}
				ConfigurationProperty property = iterable.getConfigurationProperty(name);
				Object value = (property != null) ? property.getValue() : null;
				seen.put(key, value);
				if (fromTheProcess(iterable)) {
					return;
				}
				Object result = expand(value);
				if (!result.equals(value)) {
					expanded.put(key, OriginTrackedValue.of(result, property.getOrigin()));
				}
			});
		}
		if (dbsSource != null && expanded.keySet().stream().anyMatch(LitestreamEnvironmentPostProcessor::isDbsKey)) {
			copyDbs(dbsSource, expanded);
		}
		return expanded;
	}

	/**
	 * Spring binds a list from the one property source of highest precedence that has it: once
	 * an expanded {@code litestream.dbs} value sits in the expanded source, the whole list must
	 * too, or the entries' other values would be lost. So the list of the source it came from is
	 * copied whole, expanded.
	 */
	private void copyDbs(IterableConfigurationPropertySource dbsSource, Map<String, Object> expanded) {
		expanded.keySet().removeIf(LitestreamEnvironmentPostProcessor::isDbsKey);
		dbsSource.filter(DBS::isAncestorOf).forEach((name) -> {
			ConfigurationProperty property = dbsSource.getConfigurationProperty(name);
			if (property != null && property.getValue() != null) {
				expanded.put(name.toString(), OriginTrackedValue.of(expand(property.getValue()), property.getOrigin()));
			}
		});
	}

	/**
	 * Whether a source holds what the process was given (environment variables, system
	 * properties, command-line arguments): Litestream expands its configuration file, and a
	 * variable's value is already what the shell made of it (a password with a {@code $}).
	 */
	private static boolean fromTheProcess(ConfigurationPropertySource source) {
		Object underlying = source.getUnderlyingSource();
		return underlying instanceof PropertySource<?> propertySource
				&& PROCESS_SOURCES.contains(propertySource.getName());
	}

	/** The {@code litestream.dbs} names whose value comes from a source of the process. */
	private static Set<ConfigurationPropertyName> fromTheProcess(List<IterableConfigurationPropertySource> sources) {
		Set<ConfigurationPropertyName> seen = new HashSet<>();
		Set<ConfigurationPropertyName> verbatim = new HashSet<>();
		for (IterableConfigurationPropertySource source : sources) {
			boolean process = fromTheProcess(source);
			source.filter(DBS::isAncestorOf).forEach((name) -> {
				if (seen.add(name) && process) {
					verbatim.add(name);
				}
			});
		}
		return verbatim;
	}

	private Object expand(Object value) {
		return (value instanceof String text) ? this.expander.expand(text) : value;
	}

	private static boolean isDbsKey(String key) {
		return DBS.isAncestorOf(ConfigurationPropertyName.of(key));
	}

}
