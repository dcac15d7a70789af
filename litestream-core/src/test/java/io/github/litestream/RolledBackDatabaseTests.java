package io.github.litestream;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

import io.github.litestream.replica.file.FileReplicaClient;
import io.github.litestream.restore.RestoreOptions;
import io.github.litestream.restore.Restorer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A database whose disk went back in time after a crash (a VM or volume snapshot restored, an
 * instance returning with its old disk after another one continued): its generation is
 * provably continuous locally, but the replica holds more of it. Continuing would ship nothing
 * (the replica looks ahead) and later collide with the other history's objects; a new
 * generation must start, and the replica must restore to the database's own latest state.
 */
class RolledBackDatabaseTests {

	@TempDir
	Path dir;

	@Test
	void aDatabaseBehindItsReplicaInTheSameGenerationStartsANewOne() throws Exception {
		FileReplicaClient replica = new FileReplicaClient(this.dir.resolve("replica"));
		Path live = Files.createDirectories(this.dir.resolve("live"));
		Path saved = this.dir.resolve("saved");
		Path db = live.resolve("app.db");
		ConsistencyOracle before = new ConsistencyOracle(OracleEngine.ROWS);
		int savedState;
		try (OracleEngine first = new OracleEngine(db, before, true, replica)) {
			first.commit(10);
			first.newIndex();
			first.commit(10);
			first.awaitReplicated();
			// What a crash at this moment leaves on disk (nothing writes meanwhile), with no
			// shutdown record.
			GenerationContinuationTests.copyTree(live, saved);
			savedState = before.lastLogged();
			first.commit(10);
			first.newIndex();
			first.commit(10);
			first.awaitReplicated();
		}
		String generation = replica.generations().get(0);
		deleteTree(live);
		GenerationContinuationTests.copyTree(saved, live);
		ConsistencyOracle after = before.upTo(savedState);

		try (OracleEngine rolledBack = new OracleEngine(db, after, false, replica)) {
			rolledBack.commit(5);
			rolledBack.awaitReplicated();
			assertThat(rolledBack.database().position().orElseThrow().generation()).as("a new generation")
				.isNotEqualTo(generation);
		}

		Path restored = this.dir.resolve("restored.db");
		new Restorer().restore(replica, RestoreOptions.latest(restored));
		assertThat(after.check(restored).state()).as("the rolled-back database's own latest state")
			.isEqualTo(after.lastLogged());
	}

	private static void deleteTree(Path root) throws Exception {
		try (Stream<Path> tree = Files.walk(root)) {
			for (Path path : tree.sorted(Comparator.reverseOrder()).toList()) {
				Files.delete(path);
			}
		}
	}

}
