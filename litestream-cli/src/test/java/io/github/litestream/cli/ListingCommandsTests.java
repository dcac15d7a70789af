package io.github.litestream.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;

import io.github.litestream.replica.Pos;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code snapshots}, {@code wal}, {@code generations} and {@code databases} print
 * Litestream v0.3.14's columns in its layout (Go's tabwriter, two spaces of padding, indexes
 * and offsets in decimal, RFC 3339 times), or JSON with {@code --json}, on the replica the
 * stock CLI wrote.
 */
class ListingCommandsTests {

	@TempDir
	Path dir;

	private Path replica;

	private String url;

	private final Cli cli = new Cli();

	@BeforeEach
	void copyReplica() throws IOException {
		this.replica = CliFixture.copyWithTimes(this.dir.resolve("replica"), RestoreCommandTests.BASE);
		this.url = "file://" + this.replica;
	}

	@Test
	void snapshotsAsLitestreamPrintsThem() throws IOException {
		Cli.Result result = this.cli.run("snapshots", this.url);

		assertThat(result.exitCode()).as(result.toString()).isZero();
		// index in decimal, compressed size, object time; columns two spaces apart
		assertThat(result.out()).isEqualTo("""
				replica  generation        index  size   created
				file     d59f8534bf89705e  0      %d    2026-11-30T02:00:00Z
				file     d59f8534bf89705e  10     %d  2026-11-30T02:10:00Z
				file     d59f8534bf89705e  25     %d  2026-11-30T02:25:00Z
				file     d59f8534bf89705e  35     %d  2026-11-30T02:35:00Z
				""".formatted(snapshotSize(0), snapshotSize(0xa), snapshotSize(0x19), snapshotSize(0x23)));
	}

	@Test
	void walListsEverySegmentInOrder() throws IOException {
		Cli.Result result = this.cli.run("wal", "-generation", CliFixture.GENERATION, this.url);

		assertThat(result.exitCode()).as(result.toString()).isZero();
		List<String> lines = result.out().lines().toList();
		assertThat(lines.get(0)).isEqualTo("replica  generation        index  offset  size   created");
		List<Path> segments = segmentFiles();
		assertThat(lines).hasSize(segments.size() + 1);
		for (int i = 0; i < segments.size(); i++) {
			String name = segments.get(i).getFileName().toString();
			long index = Pos.parseIndex(name.substring(0, 8));
			long offset = Pos.parseIndex(name.substring(9, 17));
			Instant created = RestoreCommandTests.BASE.plusSeconds(index * 60 + offset / 0x1000);
			assertThat(lines.get(i + 1).split(" +")).containsExactly("file", CliFixture.GENERATION,
					String.valueOf(index), String.valueOf(offset), String.valueOf(Files.size(segments.get(i))),
					created.toString());
		}
	}

	@Test
	void generationsShowTheTimeRangeAndTheLag() throws IOException {
		Cli.Result result = this.cli.run("generations", this.url);

		assertThat(result.exitCode()).as(result.toString()).isZero();
		List<String> lines = result.out().lines().toList();
		assertThat(lines).hasSize(2);
		String[] row = lines.get(1).split(" +");
		String lagColumn = "lag" + " ".repeat(Math.max(row[2].length(), 3) - 3 + 2);
		assertThat(lines.get(0)).isEqualTo("name  generation        " + lagColumn + "start                 end");
		// first object: the snapshot at index 0; last: the last segment of the highest index
		String last = segmentFiles().get(segmentFiles().size() - 1).getFileName().toString();
		Instant end = RestoreCommandTests.BASE
			.plusSeconds(Pos.parseIndex(last.substring(0, 8)) * 60 + Pos.parseIndex(last.substring(9, 17)) / 0x1000);
		assertThat(row).hasSize(5);
		assertThat(row[0]).isEqualTo("file");
		assertThat(row[1]).isEqualTo(CliFixture.GENERATION);
		assertThat(row[2]).matches("\\d+h\\d+m\\d+s"); // a URL's lag is measured against now
		assertThat(row[3]).isEqualTo("2026-11-30T02:00:00Z");
		assertThat(row[4]).isEqualTo(end.toString());
	}

	@Test
	void listingsPrintJson() throws IOException {
		Cli.Result result = this.cli.run("snapshots", "--json", this.url);

		assertThat(result.exitCode()).as(result.toString()).isZero();
		assertThat(result.out()).startsWith("""
				[
				  {"replica": "file", "generation": "d59f8534bf89705e", "index": 0, "size": %d, "created": "2026-11-30T02:00:00Z"},
				""".formatted(snapshotSize(0)));
		assertThat(result.out().lines()).hasSize(6);
	}

	@Test
	void databasesListsTheConfiguredDatabasesAndTheirReplicaNames() throws IOException {
		Path config = Files.writeString(this.dir.resolve("litestream.yml"), """
				dbs:
				  - path: %1$s/a.db
				    replicas:
				      - path: %1$s/backup-a
				      - name: offsite
				        path: %1$s/offsite-a
				  - path: %1$s/b.db
				    replicas:
				      - url: file://%1$s/backup-b
				""".formatted(this.dir));

		Cli.Result table = this.cli.run("databases", "-config", config.toString());
		Cli.Result json = this.cli.run("databases", "-json", "-config", config.toString());

		assertThat(table.exitCode()).as(table.toString()).isZero();
		String a = this.dir.toRealPath().resolve("a.db").toString();
		String b = this.dir.toRealPath().resolve("b.db").toString();
		String pad = " ".repeat(a.length() - "path".length() + 2);
		assertThat(table.out()).isEqualTo("path" + pad + "replicas\n" + a + "  file,offsite\n" + b + "  file\n");
		assertThat(json.out()).isEqualTo("[\n  {\"path\": \"" + a + "\", \"replicas\": \"file,offsite\"},\n  {\"path\": \""
				+ b + "\", \"replicas\": \"file\"}\n]\n");
	}

	@Test
	void anUnreadableReplicaIsReportedAndTheOthersListed() throws IOException {
		Path database = this.dir.resolve("app.db");
		Path notADirectory = Files.writeString(this.dir.resolve("not-a-directory"), "x");
		Path config = Files.writeString(this.dir.resolve("litestream.yml"), """
				dbs:
				  - path: %s
				    replicas:
				      - name: broken
				        path: %s/below
				      - name: good
				        path: %s
				""".formatted(database, notADirectory, this.replica));

		Cli.Result result = this.cli.run("snapshots", "-config", config.toString(), database.toString());

		// Unlike Litestream (which exits 0), on purpose: a listing missing a replica is incomplete.
		assertThat(result.exitCode()).as(result.toString()).isEqualTo(ExitCodes.FAILED);
		assertThat(result.err()).startsWith("error: cannot read replica 'broken'");
		assertThat(result.out().lines().skip(1)).hasSize(4).allMatch((line) -> line.startsWith("good "));
		for (String command : List.of("generations", "wal")) {
			Cli.Result other = this.cli.run(command, "-config", config.toString(), database.toString());
			assertThat(other.exitCode()).as(other.toString()).isEqualTo(ExitCodes.FAILED);
			assertThat(other.err()).startsWith("error: cannot read replica 'broken'");
			assertThat(other.out().lines().skip(1)).isNotEmpty().allMatch((line) -> line.startsWith("good "));
		}
	}

	@Test
	void everyCommandHasHelp() {
		for (String command : List.of("restore", "generations", "snapshots", "wal", "databases", "verify")) {
			Cli.Result result = this.cli.run(command, "-h");
			assertThat(result.exitCode()).as(result.toString()).isZero();
			assertThat(result.out()).as(command).contains("Usage: litestream-cli " + command, "-config", "--json");
		}
		assertThat(this.cli.run("restore", "-h").out()).contains("-o=PATH", "-generation", "-index=HEX",
				"-timestamp=RFC3339", "-parallelism", "-if-db-not-exists", "-if-replica-exists", "-replica", "-dry-run");
		Cli.Result top = this.cli.run("-h");
		assertThat(top.exitCode()).isZero();
		assertThat(top.out()).contains("Exit codes: 0 done, 1 failed, 2 wrong usage, 3 verify found a bad backup.");
		assertThat(this.cli.run().exitCode()).isEqualTo(ExitCodes.USAGE);
		// As 'litestream help': the commands; 'help restore' is 'restore -h'.
		Cli.Result help = this.cli.run("help");
		assertThat(help.exitCode()).as(help.toString()).isZero();
		assertThat(help.out()).contains("Usage: litestream-cli", "restore", "generations");
		assertThat(this.cli.run("help", "restore").out()).isEqualTo(this.cli.run("restore", "-h").out());
	}

	private long snapshotSize(long index) throws IOException {
		return Files.size(CliFixture.generationDirectory(this.replica).resolve("snapshots/" + Pos.hex(index) + ".snapshot.lz4"));
	}

	private List<Path> segmentFiles() throws IOException {
		try (Stream<Path> files = Files.list(CliFixture.generationDirectory(this.replica).resolve("wal"))) {
			return files.sorted().toList();
		}
	}

}
