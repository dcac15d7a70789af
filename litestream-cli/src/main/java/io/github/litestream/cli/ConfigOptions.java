package io.github.litestream.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Option;

/**
 * Where the configuration comes from, as Litestream v0.3 names it ({@code -config},
 * {@code -no-expand-env}), plus {@code -profile} for an application's configuration.
 */
final class ConfigOptions {

	@Option(names = { "-config", "--config" }, paramLabel = "PATH",
			description = "litestream.yml, or the application's application.yml/.properties. "
					+ "Defaults to $LITESTREAM_CONFIG, then /etc/litestream.yml. A leading ~ is the home directory.")
	@Nullable Path config;

	@Option(names = { "-profile", "--profile" }, paramLabel = "NAME", split = ",",
			description = "Spring profile(s) whose documents and application-<profile> files of -config count.")
	List<String> profiles = new ArrayList<>();

	@Option(names = { "-no-expand-env", "--no-expand-env" },
			description = "Do not expand $VAR references in the configuration.")
	boolean noExpandEnv;

}
