package io.github.litestream.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.UnaryOperator;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.env.OriginTrackedMapPropertySource;
import org.springframework.boot.env.PropertiesPropertySourceLoader;
import org.springframework.boot.env.PropertySourceLoader;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.boot.origin.OriginTrackedValue;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.EnumerablePropertySource;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.PropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.io.FileSystemResource;

/**
 * Loads a {@code -config} file into an environment (property sources only, no application
 * context), for the auto-configuration module to bind and validate.
 *
 * <ul>
 * <li>A {@code litestream.yml} has the keys of {@code litestream.*} at its top level
 * ({@code dbs}, {@code access-key-id}, …): they are read as if under {@code litestream:}.</li>
 * <li>An application's {@code application.yml} or {@code application.properties} is read as
 * Spring Boot reads it: later YAML documents win, a document with
 * {@code spring.config.activate.on-profile} counts only when {@code -profile} names one of its
 * profiles, and {@code application-<profile>.yml|.properties} next to the file wins over
 * it.</li>
 * <li>The process's environment variables and system properties take part as in the
 * application ({@code LITESTREAM_…} variables, {@code ${VAR}} placeholders), except that
 * {@code -no-expand-env} leaves {@code $VAR} and {@code ${VAR}} in a {@code litestream.yml} as
 * written, as Litestream does (an application's own file keeps Spring's placeholders).</li>
 * </ul>
 */
final class ConfigFile {

	private static final String ON_PROFILE = "spring.config.activate.on-profile";

	private static final String ACTIVE = "spring.profiles.active";

	private ConfigFile() {
	}

	/**
	 * Loads a configuration file.
	 * @param file the file
	 * @param profiles the active profiles
	 * @param expandEnv whether {@code $VAR} references expand ({@code -no-expand-env} turns it
	 * off)
	 * @return the environment
	 * @throws CliException if the file is missing or can't be read
	 */
	static ConfigurableEnvironment load(Path file, List<String> profiles, boolean expandEnv,
			UnaryOperator<String> variables) {
		if (!Files.isRegularFile(file)) {
			throw new CliException("config file " + file + " not found: pass -config with a litestream.yml or the "
					+ "application's application.yml, or a replica URL instead of a database path");
		}
		StandardEnvironment environment = new StandardEnvironment();
		List<PropertySource<?>> documents = documents(file, profiles);
		// A litestream.yml has neither prefix: its keys are Litestream's own (dbs, access-key-id, ...).
		boolean applicationConfig = documents.stream().anyMatch(ConfigFile::hasApplicationKeys);
		if (applicationConfig && profiles.isEmpty()) {
			// The profiles the application activates, else the tool reads other replicas than it writes.
			profiles = activeProfiles(documents, variables);
			documents = profiles.isEmpty() ? documents : documents(file, profiles);
		}
		for (String profile : profiles) {
			Path profileFile = profileFile(file, profile);
			if (applicationConfig && profileFile != null) {
				documents.addAll(documents(profileFile, profiles));
			}
		}
		// Later documents win, as in Spring Boot: each goes in front of the ones before it.
		for (PropertySource<?> document : documents) {
			environment.getPropertySources()
				.addAfter(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
						applicationConfig ? document : underLitestream(document, expandEnv));
		}
		if (!expandEnv) {
			environment.getPropertySources()
				.addFirst(new MapPropertySource("litestreamCliOptions", Map.of("litestream.expand-env", "false")));
		}
		return environment;
	}

	/**
	 * The environment of a replica URL given on the command line: one database without a path,
	 * with that one replica.
	 * @param url the replica URL
	 * @return the environment
	 */
	static ConfigurableEnvironment ofReplicaUrl(String url) {
		StandardEnvironment environment = new StandardEnvironment();
		environment.getPropertySources()
			.addFirst(new MapPropertySource("litestreamCliReplicaUrl",
					Map.of("litestream.dbs[0].replicas[0].url", url, "litestream.expand-env", "false")));
		return environment;
	}

	/**
	 * {@code spring.profiles.active} as Spring Boot finds it: a system property, then
	 * {@code SPRING_PROFILES_ACTIVE}, then the last document of the file that sets it.
	 */
	private static List<String> activeProfiles(List<PropertySource<?>> documents, UnaryOperator<String> variables) {
		String active = System.getProperty(ACTIVE);
		active = (active != null) ? active : variables.apply("SPRING_PROFILES_ACTIVE");
		for (int i = documents.size() - 1; active == null && i >= 0; i--) {
			active = listValue(documents.get(i), ACTIVE);
		}
		return (active != null) ? Arrays.stream(active.split(",")).map(String::trim).filter((p) -> !p.isEmpty()).toList()
				: List.of();
	}

	/** A comma-separated value, or a YAML list ({@code name[0]}, {@code name[1]}, …) joined by commas. */
	private static @Nullable String listValue(PropertySource<?> document, String name) {
		Object value = document.getProperty(name);
		if (value != null) {
			return value.toString();
		}
		List<String> items = new ArrayList<>();
		for (Object item; (item = document.getProperty(name + "[" + items.size() + "]")) != null;) {
			items.add(item.toString());
		}
		return items.isEmpty() ? null : String.join(",", items);
	}

	private static List<PropertySource<?>> documents(Path file, List<String> profiles) {
		PropertySourceLoader loader = loader(file);
		try {
			List<PropertySource<?>> documents = new ArrayList<>();
			for (PropertySource<?> document : loader.load(file.toString(), new FileSystemResource(file))) {
				if (isActive(document, profiles)) {
					documents.add(document);
				}
			}
			return documents;
		}
		catch (IOException | RuntimeException ex) {
			throw new CliException("config file " + file + " can't be read: " + LitestreamCli.oneLine(ex.getMessage())
					+ "; fix its syntax");
		}
	}

	private static PropertySourceLoader loader(Path file) {
		String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
		if (name.endsWith(".yml") || name.endsWith(".yaml")) {
			return new YamlPropertySourceLoader();
		}
		if (name.endsWith(".properties")) {
			return new PropertiesPropertySourceLoader();
		}
		throw new CliException("config file " + file + " is neither YAML (.yml, .yaml) nor .properties: pass "
				+ "-config with a litestream.yml, application.yml or application.properties");
	}

	private static boolean isActive(PropertySource<?> document, List<String> profiles) {
		Object onProfile = document.getProperty(ON_PROFILE);
		if (onProfile == null) {
			return true;
		}
		return Arrays.stream(onProfile.toString().split(","))
			.map(String::trim)
			.anyMatch(profiles::contains);
	}

	/**
	 * Whether a document is an application's: {@code litestream.*} keys, or {@code spring.*}
	 * ones (a base document that only activates the profile whose document or
	 * {@code application-<profile>.yml} holds the {@code litestream} keys).
	 */
	private static boolean hasApplicationKeys(PropertySource<?> document) {
		return document instanceof EnumerablePropertySource<?> enumerable && Arrays.stream(enumerable.getPropertyNames())
			.anyMatch((name) -> name.startsWith("litestream.") || name.startsWith("litestream[")
					|| name.startsWith("spring."));
	}

	private static PropertySource<?> underLitestream(PropertySource<?> document, boolean expandEnv) {
		Map<String, Object> prefixed = new LinkedHashMap<>();
		if (document instanceof EnumerablePropertySource<?> enumerable) {
			for (String name : enumerable.getPropertyNames()) {
				Object value = enumerable.getProperty(name);
				prefixed.put("litestream." + name, expandEnv ? value : unresolved(value));
			}
		}
		return new OriginTrackedMapPropertySource(document.getName(), prefixed);
	}

	/** A value whose {@code ${…}} Spring's binder leaves as written (escaped with a backslash). */
	private static @Nullable Object unresolved(@Nullable Object value) {
		String text = String.valueOf(value);
		if (value == null || !text.contains("${")) {
			return value;
		}
		String escaped = text.replace("${", "\\${");
		return (value instanceof OriginTrackedValue tracked) ? OriginTrackedValue.of(escaped, tracked.getOrigin())
				: escaped;
	}

	private static @Nullable Path profileFile(Path file, String profile) {
		String name = file.getFileName().toString();
		int dot = name.lastIndexOf('.');
		for (String extension : List.of(name.substring(dot), ".yml", ".yaml", ".properties")) {
			Path candidate = file.resolveSibling(name.substring(0, dot) + "-" + profile + extension);
			if (Files.isRegularFile(candidate)) {
				return candidate;
			}
		}
		return null;
	}

}
