package io.github.litestream.cli;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;

import io.github.litestream.boot.autoconfigure.ReplicaSettings;
import io.github.litestream.replica.ReplicaClient;
import io.github.litestream.replica.SnapshotInfo;
import io.github.litestream.replica.WalSegmentInfo;
import picocli.CommandLine.Command;

/**
 * {@code generations}: every generation of every replica, with its lag behind the database
 * and the times of its oldest and newest objects, in Litestream's columns.
 */
@Command(name = "generations", mixinStandardHelpOptions = true,
		description = { "Lists every generation of a database's replicas (or of one replica URL): its lag behind "
				+ "the database file (or now, for a URL or a missing file) and the time range it covers." })
final class GenerationsCommand extends ReplicaListingCommand {

	@Override
	Table table() {
		return new Table("name", "generation", "lag", "start", "end");
	}

	@Override
	void list(Target target, ReplicaSettings replica, ReplicaClient client, Table table) throws IOException {
		Instant updatedAt = target.databaseUpdatedAt();
		for (String generation : client.generations()) {
			List<Instant> times = Stream
				.concat(client.snapshots(generation).stream().map(SnapshotInfo::createdAt),
						client.walSegments(generation).stream().map(WalSegmentInfo::createdAt))
				.sorted()
				.toList();
			if (!times.isEmpty()) {
				Instant start = times.get(0);
				Instant end = times.get(times.size() - 1);
				table.add(replica.name(), generation, GoDuration.format(Duration.between(end, updatedAt)),
						Table.time(start), Table.time(end));
			}
		}
	}

}
