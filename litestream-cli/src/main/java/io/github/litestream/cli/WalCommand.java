package io.github.litestream.cli;

import java.io.IOException;
import java.util.List;

import io.github.litestream.boot.autoconfigure.ReplicaSettings;
import io.github.litestream.replica.Pos;
import io.github.litestream.replica.ReplicaClient;
import io.github.litestream.replica.WalSegmentInfo;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code wal}: every WAL segment of every replica, in Litestream's columns (index and offset
 * in decimal, compressed size in bytes).
 */
@Command(name = "wal", mixinStandardHelpOptions = true,
		description = "Lists every WAL segment of a database's replicas (or of one replica URL).")
final class WalCommand extends ReplicaListingCommand {

	@Option(names = { "-generation", "--generation" }, paramLabel = "NAME",
			description = "Only this generation (16 hex characters).")
	@Nullable String generation;

	@Override
	public Integer call() throws Exception {
		if (this.generation != null && !Pos.isGeneration(this.generation)) {
			throw new CommandLine.ParameterException(this.spec.commandLine(), "invalid -generation '" + this.generation
					+ "': a generation is 16 lowercase hex characters, as 'generations' lists them");
		}
		return super.call();
	}

	@Override
	Table table() {
		return new Table("replica", "generation", "index", "offset", "size", "created");
	}

	@Override
	void list(Target target, ReplicaSettings replica, ReplicaClient client, Table table) throws IOException {
		List<String> generations = (this.generation != null) ? List.of(this.generation) : client.generations();
		for (String name : generations) {
			for (WalSegmentInfo segment : client.walSegments(name)) {
				table.add(replica.name(), name, segment.index(), segment.offset(), segment.size(),
						Table.time(segment.createdAt()));
			}
		}
	}

}
