package io.github.litestream.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import java.util.function.UnaryOperator;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * What every command has: {@code --json}, its standard output and error, and the environment
 * variables of the tool it belongs to.
 */
abstract class CliCommand implements Callable<Integer> {

	@ParentCommand
	LitestreamCli cli;

	@Spec
	CommandSpec spec;

	@Option(names = { "--json", "-json" }, description = "Print JSON instead of a table.")
	boolean json;

	UnaryOperator<String> environment() {
		return this.cli.environment();
	}

	PrintWriter out() {
		return this.spec.commandLine().getOut();
	}

	PrintWriter err() {
		return this.spec.commandLine().getErr();
	}

	void print(Table table) {
		table.print(out(), this.json);
	}

}
