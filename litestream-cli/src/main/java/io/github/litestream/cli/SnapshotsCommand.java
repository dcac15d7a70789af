package io.github.litestream.cli;

import java.util.concurrent.Callable;

import io.github.litestream.replica.SnapshotInfo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code snapshots}: every snapshot of every replica, in Litestream's columns (its index in
 * decimal, its compressed size in bytes).
 */
@Command(name = "snapshots", mixinStandardHelpOptions = true,
		description = "Lists every snapshot of a database's replicas (or of one replica URL).")
final class SnapshotsCommand implements Callable<Integer> {

	@Mixin
	TargetOptions options;

	@Option(names = { "--json", "-json" }, description = "Print JSON instead of a table.")
	boolean json;

	@ParentCommand
	LitestreamCli cli;

	@Spec
	CommandSpec spec;

	@Override
	public Integer call() throws Exception {
		try (Target target = Target.resolve(this.options, this.cli.environment())) {
			Table table = new Table("replica", "generation", "index", "size", "created");
			int exitCode = ReplicaReader.forEach(target, this.spec.commandLine().getErr(), (replica, client) -> {
				for (String generation : client.generations()) {
					for (SnapshotInfo snapshot : client.snapshots(generation)) {
						table.add(replica.name(), generation, snapshot.index(), snapshot.size(),
								ReplicaReader.rfc3339(snapshot.createdAt()));
					}
				}
			});
			table.print(this.spec.commandLine().getOut(), this.json);
			return exitCode;
		}
	}

}
