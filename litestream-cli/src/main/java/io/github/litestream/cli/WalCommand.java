package io.github.litestream.cli;

import java.util.List;
import java.util.concurrent.Callable;

import io.github.litestream.replica.Pos;
import io.github.litestream.replica.WalSegmentInfo;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code wal}: every WAL segment of every replica, in Litestream's columns (index and offset
 * in decimal, compressed size in bytes).
 */
@Command(name = "wal", mixinStandardHelpOptions = true,
		description = "Lists every WAL segment of a database's replicas (or of one replica URL).")
final class WalCommand implements Callable<Integer> {

	@Mixin
	TargetOptions options;

	@Option(names = { "-generation", "--generation" }, paramLabel = "NAME",
			description = "Only this generation (16 hex characters).")
	@Nullable String generation;

	@Option(names = { "--json", "-json" }, description = "Print JSON instead of a table.")
	boolean json;

	@ParentCommand
	LitestreamCli cli;

	@Spec
	CommandSpec spec;

	@Override
	public Integer call() throws Exception {
		if (this.generation != null && !Pos.isGeneration(this.generation)) {
			throw new CommandLine.ParameterException(this.spec.commandLine(), "invalid -generation '" + this.generation
					+ "': a generation is 16 lowercase hex characters, as 'generations' lists them");
		}
		try (Target target = Target.resolve(this.options, this.cli.environment())) {
			Table table = new Table("replica", "generation", "index", "offset", "size", "created");
			int exitCode = ReplicaReader.forEach(target, this.spec.commandLine().getErr(), (replica, client) -> {
				List<String> generations = (this.generation != null) ? List.of(this.generation) : client.generations();
				for (String name : generations) {
					for (WalSegmentInfo segment : client.walSegments(name)) {
						table.add(replica.name(), name, segment.index(), segment.offset(), segment.size(),
								ReplicaReader.rfc3339(segment.createdAt()));
					}
				}
			});
			table.print(this.spec.commandLine().getOut(), this.json);
			return exitCode;
		}
	}

}
