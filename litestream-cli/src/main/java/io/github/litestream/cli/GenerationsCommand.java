package io.github.litestream.cli;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

import io.github.litestream.replica.SnapshotInfo;
import io.github.litestream.replica.WalSegmentInfo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code generations}: every generation of every replica, with its lag behind the database
 * and the times of its oldest and newest objects, in Litestream's columns.
 */
@Command(name = "generations", mixinStandardHelpOptions = true,
		description = { "Lists every generation of a database's replicas (or of one replica URL): its lag behind "
				+ "the database file (or now, for a URL or a missing file) and the time range it covers." })
final class GenerationsCommand implements Callable<Integer> {

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
			Instant updatedAt = target.databaseUpdatedAt();
			Table table = new Table("name", "generation", "lag", "start", "end");
			int exitCode = ReplicaReader.forEach(target, this.spec.commandLine().getErr(), (replica, client) -> {
				for (String generation : client.generations()) {
					List<Instant> times = Stream
						.concat(client.snapshots(generation).stream().map(SnapshotInfo::createdAt),
								client.walSegments(generation).stream().map(WalSegmentInfo::createdAt))
						.sorted()
						.toList();
					if (times.isEmpty()) {
						continue;
					}
					Instant start = times.get(0);
					Instant end = times.get(times.size() - 1);
					table.add(replica.name(), generation, GoDuration.format(Duration.between(end, updatedAt)),
							ReplicaReader.rfc3339(start), ReplicaReader.rfc3339(end));
				}
			});
			table.print(this.spec.commandLine().getOut(), this.json);
			return exitCode;
		}
	}

}
