package io.github.litestream;

import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import io.github.litestream.replica.ReplicaClient;
import io.github.litestream.replica.SnapshotInfo;
import io.github.litestream.replica.WalSegmentInfo;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A replica's listing in the columns the stock CLI's {@code generations}, {@code snapshots} and
 * {@code wal} commands print, built from this project's {@link ReplicaClient} listing; and the
 * CLI's printed rows with the columns that depend on the run left out (the replica's name, the
 * generation's lag). Indexes and offsets are decimal and times whole seconds, as the CLI prints
 * them; rows are sorted, so only the contents are compared.
 */
public final class StockListings {

	private StockListings() {
	}

	/**
	 * Generations as {@code [generation, first object's time, last object's time]}.
	 * @param client the replica
	 * @return the rows
	 * @throws IOException if the replica cannot be listed
	 */
	public static List<List<String>> generations(ReplicaClient client) throws IOException {
		List<List<String>> rows = new ArrayList<>();
		for (String generation : client.generations()) {
			List<Instant> times = new ArrayList<>();
			client.snapshots(generation).forEach((snapshot) -> times.add(snapshot.createdAt()));
			client.walSegments(generation).forEach((segment) -> times.add(segment.createdAt()));
			rows.add(List.of(generation, time(times.stream().min(Comparator.naturalOrder()).orElseThrow()),
					time(times.stream().max(Comparator.naturalOrder()).orElseThrow())));
		}
		return sorted(rows);
	}

	/**
	 * Snapshots as {@code [generation, index, size, created]}.
	 * @param client the replica
	 * @return the rows
	 * @throws IOException if the replica cannot be listed
	 */
	public static List<List<String>> snapshots(ReplicaClient client) throws IOException {
		List<List<String>> rows = new ArrayList<>();
		for (String generation : client.generations()) {
			for (SnapshotInfo snapshot : client.snapshots(generation)) {
				rows.add(List.of(generation, Long.toString(snapshot.index()), Long.toString(snapshot.size()),
						time(snapshot.createdAt())));
			}
		}
		return sorted(rows);
	}

	/**
	 * WAL segments as {@code [generation, index, offset, size, created]}.
	 * @param client the replica
	 * @return the rows
	 * @throws IOException if the replica cannot be listed
	 */
	public static List<List<String>> wal(ReplicaClient client) throws IOException {
		List<List<String>> rows = new ArrayList<>();
		for (String generation : client.generations()) {
			for (WalSegmentInfo segment : client.walSegments(generation)) {
				rows.add(List.of(generation, Long.toString(segment.index()), Long.toString(segment.offset()),
						Long.toString(segment.size()), time(segment.createdAt())));
			}
		}
		return sorted(rows);
	}

	/**
	 * What {@code litestream generations} printed, without the name and lag columns.
	 * @param output the command's output
	 * @return the rows
	 */
	public static List<List<String>> printedGenerations(String output) {
		List<List<String>> rows = new ArrayList<>();
		for (List<String> row : StockLitestream.rows(output)) {
			rows.add(List.of(row.get(1), row.get(3), row.get(4)));
		}
		return sorted(rows);
	}

	/**
	 * What {@code litestream snapshots} or {@code litestream wal} printed, without the replica
	 * column.
	 * @param output the command's output
	 * @return the rows
	 */
	public static List<List<String>> printedObjects(String output) {
		List<List<String>> rows = new ArrayList<>();
		for (List<String> row : StockLitestream.rows(output)) {
			rows.add(row.subList(1, row.size()));
		}
		return sorted(rows);
	}

	/**
	 * Checks that the CLI's {@code generations}, {@code snapshots} and {@code wal} commands list
	 * what this project's listing of the same replica says.
	 * @param cli the stock CLI
	 * @param client this project's client for the replica
	 * @param environment variables the CLI needs, such as credentials
	 * @param target the replica URL, or {@code -config <file> <database>}
	 * @throws Exception if a command fails
	 */
	public static void assertCliListsTheSame(StockLitestream cli, ReplicaClient client, Map<String, String> environment,
			String... target) throws Exception {
		assertThat(printedGenerations(cli.run(environment, prepend("generations", target))))
			.isEqualTo(generations(client))
			.hasSize(client.generations().size());
		assertThat(printedObjects(cli.run(environment, prepend("snapshots", target)))).isEqualTo(snapshots(client))
			.isNotEmpty();
		assertThat(printedObjects(cli.run(environment, prepend("wal", target)))).isEqualTo(wal(client)).isNotEmpty();
	}

	private static String[] prepend(String command, String... arguments) {
		return Stream.concat(Stream.of(command), Stream.of(arguments)).toArray(String[]::new);
	}

	private static String time(Instant instant) {
		return DateTimeFormatter.ISO_INSTANT.format(instant.truncatedTo(ChronoUnit.SECONDS));
	}

	private static List<List<String>> sorted(List<List<String>> rows) {
		return rows.stream().sorted(Comparator.comparing((List<String> row) -> String.join(" ", row))).toList();
	}

}
