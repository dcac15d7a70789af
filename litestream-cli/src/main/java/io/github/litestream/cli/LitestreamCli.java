package io.github.litestream.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.time.Duration;
import java.util.function.UnaryOperator;

import io.github.litestream.age.AgeException;
import io.github.litestream.boot.autoconfigure.LitestreamConfigurationException;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.PositionalParamSpec;
import picocli.CommandLine.ParseResult;

import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.core.NestedExceptionUtils;

/**
 * {@code litestream-cli}: the operator's tool, with Litestream v0.3's verbs and single-dash
 * flags. Every failure is one line on standard error naming what to change, with an exit code
 * from {@link ExitCodes}; listings go to standard output, as tables or, with {@code --json},
 * JSON.
 */
@Command(name = "litestream-cli", mixinStandardHelpOptions = true, versionProvider = LitestreamCli.Version.class,
		description = "Restore and inspect Litestream replicas, as the application configures them.",
		subcommands = { RestoreCommand.class, GenerationsCommand.class, SnapshotsCommand.class, WalCommand.class,
				DatabasesCommand.class, VerifyCommand.class, LitestreamCli.VersionCommand.class,
				CommandLine.HelpCommand.class },
		footer = { "", "Exit codes: 0 done, 1 failed, 2 wrong usage, 3 verify found a bad backup.",
				"Run 'litestream-cli COMMAND -h' for a command's flags." })
public final class LitestreamCli implements Runnable {

	@CommandLine.Spec
	private CommandSpec spec;

	private final UnaryOperator<String> environment;

	private LitestreamCli(UnaryOperator<String> environment) {
		this.environment = environment;
	}

	/**
	 * Runs a command and exits with its code.
	 * @param args the command line
	 */
	public static void main(String[] args) {
		PrintWriter out = new PrintWriter(System.out, true);
		PrintWriter err = new PrintWriter(System.err, true);
		System.exit(run(args, out, err, System::getenv));
	}

	/**
	 * Runs a command.
	 * @param args the command line
	 * @param out standard output
	 * @param err standard error
	 * @param environment looks up environment variables
	 * @return the exit code
	 */
	static int run(String[] args, PrintWriter out, PrintWriter err, UnaryOperator<String> environment) {
		CommandLine commandLine = new CommandLine(new LitestreamCli(environment))
			.setPosixClusteredShortOptionsAllowed(false)
			.setOut(out)
			.setErr(err)
			.setExecutionExceptionHandler(LitestreamCli::failed)
			.setParameterExceptionHandler(LitestreamCli::wrongUsage);
		try {
			return commandLine.execute(args);
		}
		finally {
			out.flush();
			err.flush();
		}
	}

	/**
	 * Looks up environment variables for {@code $VAR} expansion and {@code LITESTREAM_CONFIG}.
	 * @return the lookup
	 */
	UnaryOperator<String> environment() {
		return this.environment;
	}

	@Override
	public void run() {
		throw new CommandLine.ParameterException(this.spec.commandLine(),
				"a command is required: restore, generations, snapshots, wal, databases, verify or version");
	}

	/**
	 * One line naming the problem and the fix; a stack trace only for what is not the
	 * operator's to fix.
	 */
	private static int failed(Exception ex, CommandLine commandLine, ParseResult parseResult) {
		PrintWriter err = commandLine.getErr();
		if (ex instanceof LitestreamConfigurationException configuration) {
			err.println("error: " + oneLine(configuration.getMessage() + "; " + configuration.getAction()));
		}
		else if (ex instanceof FileSystemException file && file.getReason() == null) {
			err.println("error: " + fileProblem(file));
		}
		else if (ex instanceof CliException || ex instanceof IOException) {
			err.println("error: " + oneLine(ex.getMessage()) + identityHint(ex, commandLine));
		}
		else if (ex instanceof BindException bind) {
			err.println("error: " + oneLine(bindFailure(bind)));
		}
		else {
			err.println("error: " + ex);
			ex.printStackTrace(err);
		}
		err.flush();
		return ExitCodes.FAILED;
	}

	/**
	 * One line, as Litestream prints wrong usage, with flags named as documented (picocli names
	 * an option by its longest name, {@code --timestamp}), instead of the whole usage screen.
	 */
	private static int wrongUsage(CommandLine.ParameterException ex, String[] args) {
		CommandLine commandLine = ex.getCommandLine();
		String message = oneLine(ex.getMessage()).replace("option '--", "option '-").replaceFirst("\\.$", "");
		commandLine.getErr()
			.println("error: " + message + "; run '" + commandLine.getCommandSpec().qualifiedName() + " -h' for "
					+ ((commandLine.getCommandSpec().parent() == null) ? "the commands" : "its flags"));
		commandLine.getErr().flush();
		return ExitCodes.USAGE;
	}

	/**
	 * The JDK's file exceptions say only the path ({@code error: /data/app.db}): what is wrong
	 * with it, and where it comes from.
	 */
	private static String fileProblem(FileSystemException ex) {
		String problem;
		if (ex instanceof AccessDeniedException) {
			problem = "permission denied";
		}
		else if (ex instanceof FileAlreadyExistsException) {
			problem = "a file is in the way (a directory was expected, or the name is taken)";
		}
		else if (ex instanceof NoSuchFileException) {
			problem = "no such file or directory";
		}
		else if (ex instanceof NotDirectoryException) {
			problem = "not a directory";
		}
		else {
			problem = ex.getClass().getSimpleName();
		}
		String other = (ex.getOtherFile() != null) ? " -> " + ex.getOtherFile() : "";
		return "cannot use " + ex.getFile() + other + ": " + problem + "; check the path (-o, -config or the configured "
				+ "paths) and its permissions for the user running the tool";
	}

	/**
	 * A replica URL has no place for age keys, so "add the identity to the replica's
	 * age.identities" needs saying where that replica is configured.
	 */
	private static String identityHint(Exception ex, CommandLine commandLine) {
		ParseResult parsed = commandLine.getParseResult();
		PositionalParamSpec target = (parsed != null) ? parsed.matchedPositional(0) : null;
		if (target == null || !Target.isUrl(String.valueOf((Object) target.getValue()))) {
			return "";
		}
		for (Throwable cause = ex; cause != null; cause = cause.getCause()) {
			if (cause instanceof AgeException age && age.kind() == AgeException.Kind.NO_MATCH) {
				return "; a replica URL carries no age keys: pass -config with a file that configures this replica "
						+ "with its age.identities or age.identity-files, and the database's path instead of the URL";
			}
		}
		return "";
	}

	/** A value of the config file that does not fit its key's type: the key, where, and why. */
	private static String bindFailure(BindException ex) {
		ConfigurationProperty property = ex.getProperty();
		String name = (property != null) ? property.getName().toString() : ex.getName().toString();
		String origin = (property != null && property.getOrigin() != null) ? " (" + property.getOrigin() + ")" : "";
		Class<?> type = ex.getTarget().getType().resolve(Object.class);
		String hint = Duration.class.equals(type)
				? "write a duration with its unit, such as 10s, 1h30m or 500ms"
				: "correct it in the config file";
		return "cannot read " + name + origin + ": " + NestedExceptionUtils.getMostSpecificCause(ex).getMessage() + "; "
				+ hint;
	}

	static String oneLine(@Nullable String message) {
		return (message != null) ? message.replaceAll("\\s*\\R\\s*", " ") : "unknown error";
	}

	/**
	 * {@code litestream-cli version}, as {@code litestream version}: the same line as {@code -V}.
	 */
	@Command(name = "version", description = "Print the version of this tool.")
	static final class VersionCommand implements Runnable {

		@CommandLine.Spec
		private CommandSpec spec;

		@Override
		public void run() {
			this.spec.commandLine().getOut().println(new Version().getVersion()[0]);
		}

	}

	/**
	 * The version of the jar.
	 */
	static final class Version implements CommandLine.IVersionProvider {

		@Override
		public String[] getVersion() {
			String version = LitestreamCli.class.getPackage().getImplementationVersion();
			return new String[] { "litestream-cli " + ((version != null) ? version : "(development build)") };
		}

	}

}
