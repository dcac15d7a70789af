package io.github.litestream.cli;

import io.github.litestream.boot.autoconfigure.DatabaseSettings;
import io.github.litestream.boot.autoconfigure.StandaloneLitestreamConfiguration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code databases}: the databases of the configuration and the names of their replicas.
 */
@Command(name = "databases", mixinStandardHelpOptions = true,
		description = "Lists the databases of the configuration and their replicas.")
final class DatabasesCommand extends CliCommand {

	@Mixin
	ConfigOptions configuration;

	@Override
	public Integer call() throws Exception {
		try (StandaloneLitestreamConfiguration read = Target.configuration(this.configuration, environment())) {
			Table table = new Table("path", "replicas");
			for (DatabaseSettings database : read.databases()) {
				table.add(String.valueOf(database.path()), Target.names(database.replicas()).replace(", ", ","));
			}
			print(table);
			return ExitCodes.OK;
		}
	}

}
