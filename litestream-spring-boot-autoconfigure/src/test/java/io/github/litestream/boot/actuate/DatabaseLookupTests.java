package io.github.litestream.boot.actuate;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import io.github.litestream.Litestream;
import io.github.litestream.Litestream.ReplicationTarget;
import io.github.litestream.db.DatabaseOptions;
import io.github.litestream.db.ReplicatedDatabase;
import io.github.litestream.replica.ReplicaOptions;
import io.github.litestream.replica.file.FileReplicaClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * How the endpoint's {@code db} selector (and its {@code path}) finds a database: by file name,
 * by full path with or without its leading slash, and by full path among databases of the same
 * file name.
 */
class DatabaseLookupTests {

	@TempDir
	Path dir;

	private Litestream litestream;

	private Path first;

	private Path second;

	private Path other;

	private DatabaseLookup lookup;

	@BeforeEach
	void register() throws Exception {
		this.first = Files.createDirectories(this.dir.resolve("a")).resolve("app.db");
		this.second = Files.createDirectories(this.dir.resolve("b")).resolve("app.db");
		this.other = this.dir.resolve("other.db");
		this.litestream = new Litestream();
		for (Path path : List.of(this.first, this.second, this.other)) {
			this.litestream.addDatabase(DatabaseOptions.defaults(path), List.of(new ReplicationTarget(
					new FileReplicaClient(this.dir.resolve("replica-" + path.hashCode())), ReplicaOptions.defaults("file"))));
		}
		this.lookup = new DatabaseLookup(this.litestream);
	}

	@AfterEach
	void close() {
		this.litestream.close();
	}

	@Test
	void aUniqueFileNameFindsItsDatabase() {
		assertThat(pathOf(this.lookup.find("other.db", null))).isEqualTo(this.other);
	}

	@Test
	void aFullPathFindsItsDatabaseWithOrWithoutItsLeadingSlash() {
		assertThat(pathOf(this.lookup.find(this.second.toString(), null))).isEqualTo(this.second);
		// Over HTTP the selector is one path segment: the leading slash does not arrive.
		assertThat(pathOf(this.lookup.find(this.second.toString().substring(1), null))).isEqualTo(this.second);
	}

	@Test
	void aFileNameSharedByTwoDatabasesIsRejectedNamingBothAndHowToPickOne() {
		assertThatExceptionOfType(InvalidEndpointRequestException.class)
			.isThrownBy(() -> this.lookup.find("app.db", null))
			.withMessageContaining(this.first.toString())
			.withMessageContaining(this.second.toString())
			.withMessageContaining("?path=")
			.satisfies((ex) -> assertThat(ex.getReason()).isEqualTo("Ambiguous database"));
	}

	@Test
	void theFullPathPicksOneOfTheDatabasesOfTheSameFileNameEvenUnnormalized() {
		assertThat(pathOf(this.lookup.find("app.db", this.second.toString()))).isEqualTo(this.second);
		String roundabout = this.dir.resolve("a").resolve("..").resolve("b").resolve("app.db").toString();
		assertThat(pathOf(this.lookup.find("app.db", roundabout))).isEqualTo(this.second);
	}

	@Test
	void nothingMatchesAnUnknownNameOrANameAtAnotherPath() {
		assertThat(this.lookup.find("missing.db", null)).isNull();
		assertThat(this.lookup.find("other.db", this.first.toString())).isNull();
	}

	@Test
	void aPathThatIsNoPathIsRejected() {
		assertThatExceptionOfType(InvalidEndpointRequestException.class)
			.isThrownBy(() -> this.lookup.find("app.db", "nul\0l"))
			.withMessageContaining("is not a path")
			.satisfies((ex) -> assertThat(ex.getReason()).isEqualTo("Invalid path"));
	}

	private static Path pathOf(ReplicatedDatabase database) {
		assertThat(database).isNotNull();
		return database.path();
	}

}
