package io.github.litestream.cli;

import java.io.IOException;

import io.github.litestream.boot.autoconfigure.ReplicaSettings;
import io.github.litestream.replica.ReplicaClient;
import io.github.litestream.replica.SnapshotInfo;
import picocli.CommandLine.Command;

/**
 * {@code snapshots}: every snapshot of every replica, in Litestream's columns (its index in
 * decimal, its compressed size in bytes).
 */
@Command(name = "snapshots", mixinStandardHelpOptions = true,
		description = "Lists every snapshot of a database's replicas (or of one replica URL).")
final class SnapshotsCommand extends ReplicaListingCommand {

	@Override
	Table table() {
		return new Table("replica", "generation", "index", "size", "created");
	}

	@Override
	void list(Target target, ReplicaSettings replica, ReplicaClient client, Table table) throws IOException {
		for (String generation : client.generations()) {
			for (SnapshotInfo snapshot : client.snapshots(generation)) {
				table.add(replica.name(), generation, snapshot.index(), snapshot.size(),
						Table.time(snapshot.createdAt()));
			}
		}
	}

}
