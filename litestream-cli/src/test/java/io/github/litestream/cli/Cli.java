package io.github.litestream.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;

/**
 * Runs the command line in this JVM, as {@code main} would, with captured output and a given
 * environment.
 */
final class Cli {

	private final Map<String, String> environment;

	Cli(Map<String, String> environment) {
		this.environment = environment;
	}

	Cli() {
		this(Map.of());
	}

	Result run(String... args) {
		StringWriter out = new StringWriter();
		StringWriter err = new StringWriter();
		int exitCode = LitestreamCli.run(args, new PrintWriter(out), new PrintWriter(err), this.environment::get);
		return new Result(exitCode, out.toString(), err.toString());
	}

	/**
	 * What a command did.
	 *
	 * @param exitCode its exit code
	 * @param out standard output
	 * @param err standard error
	 */
	record Result(int exitCode, String out, String err) {

		@Override
		public String toString() {
			return "exit " + this.exitCode + "\n--- out\n" + this.out + "--- err\n" + this.err;
		}

	}

}
