package io.github.litestream.boot.autoconfigure;

import java.time.Duration;
import java.util.function.Supplier;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.bind.AbstractBindHandler;
import org.springframework.boot.context.properties.bind.BindContext;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.BindHandler;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.PlaceholdersResolver;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.convert.DurationUnit;

/**
 * Checks values under {@code litestream.} as they are bound, where Spring's conversions would
 * read a {@code litestream.yml} value otherwise than Litestream does:
 * <ul>
 * <li>A duration without a unit ({@code sync-interval: 10}) is refused. Spring reads it as
 * milliseconds; Litestream's durations are Go's, always written with their unit, and a
 * sidecar's user who writes {@code 10} does not mean 10 ms. A bare {@code 0} is the same in
 * every unit (and Go reads it too), so it stays allowed, as does a number for a property whose
 * unit {@link DurationUnit} sets.</li>
 * <li>A duration Spring's own format does not read, Go's {@code 1h30m} or {@code 1.5h}, is read
 * as Litestream reads it ({@link GoDurationFormat}); one neither reads is reported naming the
 * property.</li>
 * <li>A value Spring cannot read as a boolean ({@code skip-verify: 1} in YAML, a number there)
 * is reported naming the property and its two values, not as a converter's message. Strings
 * Spring reads as booleans ({@code yes}, {@code on}, {@code "1"} in a {@code .properties} file)
 * are left to it.</li>
 * </ul>
 * The problem becomes a {@link LitestreamConfigurationException}, which the binder wraps in a
 * {@link BindException}: {@link #unwrapped(Supplier)} takes it out again, and in the
 * application {@link LitestreamFailureAnalyzer} finds it inside.
 */
final class LitestreamBindHandler extends AbstractBindHandler {

	private static final ConfigurationPropertyName LITESTREAM = ConfigurationPropertyName.of("litestream");

	private static final Pattern BARE_NUMBER = Pattern.compile("[-+]?[0-9]+");

	private final PlaceholdersResolver placeholders;

	/**
	 * Creates a handler.
	 * @param placeholders resolves {@code ${…}} in a raw value, as the binder does before converting it
	 */
	LitestreamBindHandler(PlaceholdersResolver placeholders) {
		this(BindHandler.DEFAULT, placeholders);
	}

	/**
	 * Creates a handler that adds to another.
	 * @param parent the handler to add to
	 * @param placeholders resolves {@code ${…}} in a raw value
	 */
	LitestreamBindHandler(BindHandler parent, PlaceholdersResolver placeholders) {
		super(parent);
		this.placeholders = placeholders;
	}

	/**
	 * Runs a binding, and throws the {@link LitestreamConfigurationException} this handler
	 * raised in it as it is, not wrapped in the binder's {@link BindException}.
	 * @param <T> what the binding returns
	 * @param binding the binding
	 * @return what it returned
	 */
	static <T> T unwrapped(Supplier<T> binding) {
		try {
			return binding.get();
		}
		catch (BindException ex) {
			for (Throwable cause = ex.getCause(); cause != null; cause = cause.getCause()) {
				if (cause instanceof LitestreamConfigurationException configuration) {
					throw configuration;
				}
			}
			throw ex;
		}
	}

	@Override
	public @Nullable Object onSuccess(ConfigurationPropertyName name, Bindable<?> target, BindContext context,
			Object result) {
		if (LITESTREAM.isAncestorOf(name) && Duration.class.equals(target.getType().resolve())
				&& target.getAnnotation(DurationUnit.class) == null) {
			String value = rawValue(name, context);
			if (value != null && BARE_NUMBER.matcher(value).matches() && Long.parseLong(value) != 0) {
				long number = Math.abs(Long.parseLong(value));
				throw new LitestreamConfigurationException(name.toString(),
						"'" + value + "' has no unit" + origin(context)
								+ ", so it would be read as milliseconds; Litestream's durations are written with "
								+ "their unit",
						"Write " + name + " with its unit, such as " + number + "s, " + number + "m or " + number
								+ "h (" + number + "ms if milliseconds are meant).");
			}
		}
		return super.onSuccess(name, target, context, result);
	}

	@Override
	public @Nullable Object onFailure(ConfigurationPropertyName name, Bindable<?> target, BindContext context,
			Exception error) throws Exception {
		Class<?> type = target.getType().resolve(Object.class);
		if (LITESTREAM.isAncestorOf(name) && (type == boolean.class || type == Boolean.class)
				&& !(error instanceof LitestreamConfigurationException)) {
			String value = rawValue(name, context);
			if (value != null) {
				throw new LitestreamConfigurationException(name.toString(),
						"'" + value + "' is not a boolean" + origin(context),
						"Set " + name + " to true or false.");
			}
		}
		if (LITESTREAM.isAncestorOf(name) && type == Duration.class && !(error instanceof LitestreamConfigurationException)) {
			String value = rawValue(name, context);
			if (value != null) {
				Duration duration = GoDurationFormat.parse(value);
				if (duration != null) {
					return duration;
				}
				throw new LitestreamConfigurationException(name.toString(),
						"'" + value + "' is not a duration" + origin(context),
						"Write " + name + " as Litestream does, a number and its unit, such as 10s, 1h30m or "
								+ "500ms.");
			}
		}
		return super.onFailure(name, target, context, error);
	}

	/** The value the property is bound from, placeholders resolved, if it is this property's own. */
	private @Nullable String rawValue(ConfigurationPropertyName name, BindContext context) {
		ConfigurationProperty property = context.getConfigurationProperty();
		if (property == null || !property.getName().equals(name) || property.getValue() == null) {
			return null;
		}
		return String.valueOf(this.placeholders.resolvePlaceholders(property.getValue())).trim();
	}

	private static String origin(BindContext context) {
		ConfigurationProperty property = context.getConfigurationProperty();
		return (property != null && property.getOrigin() != null) ? " (" + property.getOrigin() + ")" : "";
	}

}
