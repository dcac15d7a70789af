package io.github.litestream.cli;

import java.util.concurrent.Callable;

import io.github.litestream.boot.autoconfigure.DatabaseSettings;
import io.github.litestream.boot.autoconfigure.StandaloneLitestreamConfiguration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code databases}: the databases of the configuration and the names of their replicas.
 */
@Command(name = "databases", mixinStandardHelpOptions = true,
		description = "Lists the databases of the configuration and their replicas.")
final class DatabasesCommand implements Callable<Integer> {

	@Mixin
	ConfigOptions configuration;

	@Option(names = { "--json", "-json" }, description = "Print JSON instead of a table.")
	boolean json;

	@ParentCommand
	LitestreamCli cli;

	@Spec
	CommandSpec spec;

	@Override
	public Integer call() throws Exception {
		try (StandaloneLitestreamConfiguration configuration = Target.configuration(this.configuration,
				this.cli.environment())) {
			Table table = new Table("path", "replicas");
			for (DatabaseSettings database : configuration.databases()) {
				table.add(String.valueOf(database.path()), Target.names(database.replicas()).replace(", ", ","));
			}
			table.print(this.spec.commandLine().getOut(), this.json);
			return ExitCodes.OK;
		}
	}

}
