package io.github.litestream.cli;

import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The options every verb that reads a replica shares, named as Litestream v0.3 names them:
 * {@code DB_PATH|REPLICA_URL}, the configuration's options and {@code -replica}.
 */
final class TargetOptions {

	@Parameters(index = "0", paramLabel = "DB_PATH|REPLICA_URL",
			description = "A database configured in -config, or a replica URL such as s3://bucket/path or "
					+ "file:///backups/app.")
	String target = "";

	@Mixin
	ConfigOptions configuration = new ConfigOptions();

	@Option(names = { "-replica", "--replica" }, paramLabel = "NAME",
			description = "Only this replica of the database (by name; an unnamed replica is named after its type).")
	@Nullable String replica;

}
