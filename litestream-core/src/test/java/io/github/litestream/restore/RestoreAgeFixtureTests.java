package io.github.litestream.restore;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import io.github.litestream.age.Age;
import io.github.litestream.age.AgeIdentity;
import io.github.litestream.replica.AgeReplicaClient;
import io.github.litestream.replica.Pos;
import io.github.litestream.replica.ReplicaClient;
import io.github.litestream.replica.file.FileReplicaClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Restores the age-encrypted replica written by the stock Litestream v0.3.14 CLI at every
 * index with either of its two identities (as after a key rotation), and checks the rows
 * against what {@code litestream restore -index} produced; and the failures when no identity
 * matches: a named error, no output and no temporary file left.
 */
class RestoreAgeFixtureTests {

	@TempDir
	Path temp;

	private final Restorer restorer = new Restorer();

	static List<Arguments> everyIndexWithEitherIdentity() {
		List<Arguments> arguments = new ArrayList<>();
		for (Fixture.Expected expected : AgeFixture.expected()) {
			arguments.add(Arguments.of(expected, 1));
			arguments.add(Arguments.of(expected, 2));
		}
		return arguments;
	}

	@ParameterizedTest(name = "index {0} with identity-{1}")
	@MethodSource("everyIndexWithEitherIdentity")
	void restoresEveryIndexLikeLitestream(Fixture.Expected expected, int identity) throws Exception {
		Path output = this.temp.resolve("restored.db");
		RestoreOptions options = RestoreOptions.latest(output);
		if (expected.index() != null) {
			options = options.withIndex(expected.index());
		}
		RestoreResult result = this.restorer.restore(client(List.of(AgeFixture.identity(identity))), options);
		assertThat(result.restored()).isTrue();
		assertThat(result.plan().generation()).isEqualTo(AgeFixture.GENERATION);
		assertThat(RestoredDatabase.summary(output, expected.index())).isEqualTo(expected);
		RestoredDatabase.oneCommittedState(output);
		assertThat(RestoredDatabase.integrityCheckWithCli(output)).isEqualTo("ok");
		assertThat(files()).containsExactly("restored.db");
	}

	@Test
	void latestRestoreHasTheSamePayloadsAsLitestreams() throws Exception {
		Path output = this.temp.resolve("latest.db");
		// A stranger's identity first: identities are tried in turn.
		RestoreResult result = this.restorer.restore(client(List.of(AgeIdentity.generate(), AgeFixture.identity(2))),
				RestoreOptions.latest(output).withParallelism(8));
		assertThat(result.plan().targetIndex()).isEqualTo(0x28);
		assertThat(RestoredDatabase.payloadSha256WithCli(output)).isEqualTo(AgeFixture.LATEST_PAYLOAD_SHA256);
	}

	@Test
	void noMatchingIdentityIsANamedErrorThatLeavesNothingBehind() throws Exception {
		Path existing = this.temp.resolve("app.db");
		Files.write(existing, new byte[] { 1, 2, 3 });
		Path output = this.temp.resolve("restored.db");
		AgeIdentity stranger = AgeIdentity.generate();
		// With fall-back on, too: a key problem is not damage, and an older point is no better.
		assertThatExceptionOfType(RestoreException.class)
			.isThrownBy(() -> this.restorer.restore(client(List.of(stranger)),
					RestoreOptions.latest(output).withFallBack(true)))
			.withMessageContaining("Cannot decrypt snapshot generations/" + AgeFixture.GENERATION
					+ "/snapshots/00000028.snapshot.lz4 in " + AgeFixture.replica())
			.withMessageContaining("No age identity matched any of the file's 2 recipient stanza(s)")
			.withMessageContaining(stranger.recipient().toString())
			.withMessageContaining("age.identities")
			.satisfies((ex) -> assertThat(ex.damagedObject()).isEmpty());
		assertThat(files()).containsExactly("app.db");
		assertThat(Files.readAllBytes(existing)).containsExactly(1, 2, 3);
	}

	@Test
	void aWalSegmentNoIdentityMatchesIsNamed() throws Exception {
		// Index 0x27 restores from snapshot 0x19 and the WAL of 0x19..0x27: break the keys of one segment only.
		Path replica = copyOfReplica();
		Path segment = replica.resolve("generations/" + AgeFixture.GENERATION + "/wal/00000020_00000000.wal.lz4");
		Path plaintextSource = this.temp.resolve("segment.lz4");
		try (var in = new AgeReplicaClient(new FileReplicaClient(replica), List.of(AgeFixture.identity(1).recipient()),
				List.of(AgeFixture.identity(1)))
			.openWalSegment(new Pos(AgeFixture.GENERATION, 0x20, 0))) {
			Files.write(plaintextSource, in.readAllBytes());
		}
		AgeIdentity other = AgeIdentity.generate();
		try (var in = Age.encrypting(Files.newInputStream(plaintextSource),
				List.of(other.recipient()))) {
			Files.write(segment, in.readAllBytes());
		}
		Path output = this.temp.resolve("restored.db");
		ReplicaClient client = new AgeReplicaClient(new FileReplicaClient(replica),
				List.of(AgeFixture.identity(1).recipient()), List.of(AgeFixture.identity(1)));
		assertThatExceptionOfType(RestoreException.class)
			.isThrownBy(() -> this.restorer.restore(client, RestoreOptions.latest(output).withIndex(0x27)))
			.withMessageContaining("Cannot decrypt WAL segment generations/" + AgeFixture.GENERATION
					+ "/wal/00000020_00000000.wal.lz4")
			.withMessageContaining("1 recipient stanza(s)");
		assertThat(output).doesNotExist();
		try (var files = Files.list(this.temp)) {
			assertThat(files.map((path) -> path.getFileName().toString())).containsExactlyInAnyOrder("replica",
					"segment.lz4");
		}
		// The other identity, added next to the first, reads it: key rotation.
		ReplicaClient rotated = new AgeReplicaClient(new FileReplicaClient(replica),
				List.of(other.recipient()), List.of(AgeFixture.identity(1), other));
		this.restorer.restore(rotated, RestoreOptions.latest(output).withIndex(0x27));
		assertThat(RestoredDatabase.summary(output, 0x27L)).isEqualTo(
				AgeFixture.expected().stream().filter((row) -> Long.valueOf(0x27).equals(row.index())).findFirst().get());
	}

	@Test
	void anEncryptedReplicaReadWithoutKeysSaysSo() throws Exception {
		Path output = this.temp.resolve("restored.db");
		assertThatExceptionOfType(RestoreException.class)
			.isThrownBy(() -> this.restorer.restore(new FileReplicaClient(AgeFixture.replica()),
					RestoreOptions.latest(output)))
			.withMessageContaining("snapshots/00000028.snapshot.lz4")
			.withMessageContaining("encrypted with age")
			.withMessageContaining("age.identities");
		assertThat(files()).isEmpty();
	}

	private Path copyOfReplica() throws Exception {
		Path target = this.temp.resolve("replica");
		Path source = AgeFixture.replica();
		try (var tree = Files.walk(source)) {
			for (Path path : tree.toList()) {
				Path copy = target.resolve(source.relativize(path).toString());
				if (Files.isDirectory(path)) {
					Files.createDirectories(copy);
				}
				else {
					Files.copy(path, copy);
				}
			}
		}
		return target;
	}

	private static ReplicaClient client(List<AgeIdentity> identities) throws Exception {
		return new AgeReplicaClient(new FileReplicaClient(AgeFixture.replica()),
				List.of(AgeFixture.identity(1).recipient()), identities);
	}

	private List<String> files() throws Exception {
		try (var files = Files.list(this.temp)) {
			return files.map((path) -> path.getFileName().toString()).sorted().toList();
		}
	}

}
