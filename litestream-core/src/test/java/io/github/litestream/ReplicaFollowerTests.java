package io.github.litestream;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

import io.github.litestream.db.GenerationContinuation;
import io.github.litestream.replica.BreakingStreams;
import io.github.litestream.replica.ForwardingReplicaClient;
import io.github.litestream.replica.Lz4;
import io.github.litestream.replica.Pos;
import io.github.litestream.replica.Replica;
import io.github.litestream.replica.ReplicaClient;
import io.github.litestream.replica.WalSegmentInfo;
import io.github.litestream.replica.file.FileReplicaClient;
import io.github.litestream.restore.FollowerOptions;
import io.github.litestream.restore.FollowerStatus;
import io.github.litestream.restore.ReplicaFollower;
import io.github.litestream.restore.RestoreOptions;
import io.github.litestream.restore.Restorer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * A {@link ReplicaFollower} follows a primary that writes {@link PageWriter} transactions: at
 * any moment its file equals one committed state ({@link ConsistencyOracle}), after the primary
 * stops (or is killed) it reaches the replica's last state, and an engine started on its file
 * continues the same generation: one generation, no new snapshot, and a final restore equals
 * the last committed state.
 */
class ReplicaFollowerTests {

	public static final FollowerOptions FAST = FollowerOptions.defaults()
		.withPollInterval(Duration.ofMillis(50))
		.withMaxBackoff(Duration.ofMillis(400));

	@TempDir
	Path dir;

	private final ConsistencyOracle oracle = new ConsistencyOracle(OracleEngine.ROWS);

	@Test
	void followsAPrimaryAtEveryMomentAndTakesOverItsGeneration() throws Exception {
		Path replicaRoot = this.dir.resolve("replica");
		FollowAndTakeOver scenario = new FollowAndTakeOver(this.dir);
		String generation = scenario.run(new FileReplicaClient(replicaRoot), () -> new FileReplicaClient(replicaRoot));
		Path withCli = this.dir.resolve("cli.db");
		CliRestore.restore(replicaRoot, generation, withCli);
		assertThat(scenario.oracle().check(withCli).state()).as("restored as the stock CLI does")
			.isEqualTo(scenario.oracle().lastLogged());
	}

	@Test
	void followsAPrimaryKilledWithSigkillAndTakesOver() throws Exception {
		Path roundDir = Files.createDirectories(this.dir.resolve("killed"));
		Path replicaRoot = roundDir.resolve("replica");
		Path followed = this.dir.resolve("follower.db");
		ReplicaFollower follower = new ReplicaFollower(new FileReplicaClient(replicaRoot), followed, FAST);
		follower.start();
		KilledWriter.run(ConsistentWriter.class, roundDir, replicaRoot.toString(), null, Map.of(), false,
				new SplittableRandom());
		ConsistencyOracle history = ConsistencyOracle.read(roundDir.resolve("history.log"));
		Path latest = this.dir.resolve("latest.db");
		new Restorer().restore(new FileReplicaClient(replicaRoot), RestoreOptions.latest(latest));
		int replicaState = history.check(latest).state();
		await().atMost(Duration.ofSeconds(30)).until(() -> follower.status().caughtUp() && stateOf(this.dir, follower, history) == replicaState);
		Pos end = follower.stop(Duration.ofSeconds(10)).orElseThrow();
		// What the replica did not receive before the kill is lost; the takeover's transactions
		// follow the state the replica holds (and the follower reached). The killed writer may have
		// committed one transaction it did not log: it becomes part of the history.
		ConsistencyOracle continued = history.upTo(Math.min(replicaState, history.lastLogged()));
		adopt(continued, followed);
		String generation = end.generation();
		FileReplicaClient replica = new FileReplicaClient(replicaRoot);
		int snapshots = replica.snapshots(generation).size();
		try (OracleEngine next = new OracleEngine(followed, continued, false, replica)) {
			assertThat(next.database().position().orElseThrow().generation()).isEqualTo(generation);
			assertThat(next.database().position().orElseThrow().index()).isEqualTo(end.index() + 1);
			next.commit(20);
			next.awaitReplicated();
		}
		assertThat(replica.generations()).containsExactly(generation);
		assertThat(replica.snapshots(generation)).hasSize(snapshots);
		Path fin = this.dir.resolve("final.db");
		new Restorer().restore(replica, RestoreOptions.latest(fin));
		assertThat(continued.check(fin).state()).isEqualTo(continued.lastLogged());
		Path withCli = this.dir.resolve("cli.db");
		CliRestore.restore(replicaRoot, generation, withCli);
		assertThat(continued.check(withCli).state()).as("restored as the stock CLI does")
			.isEqualTo(continued.lastLogged());
	}

	@Test
	void restoresAgainWhenANewGenerationAppears() throws Exception {
		Path replicaRoot = this.dir.resolve("replica");
		Path primaryDb = this.dir.resolve("primary.db");
		ReplicaFollower follower = new ReplicaFollower(new FileReplicaClient(replicaRoot), this.dir.resolve("f.db"), FAST);
		String first;
		try (OracleEngine primary = new OracleEngine(primaryDb, this.oracle, true, new FileReplicaClient(replicaRoot))) {
			primary.commit(20);
			primary.awaitReplicated();
			first = primary.database().position().orElseThrow().generation();
			follower.start();
			awaitPosition(follower, primary.database().position().orElseThrow());
		}
		// Without its local state the primary cannot prove continuity: a new generation starts.
		deleteTree(primaryDb.resolveSibling(".primary.db-litestream"));
		Pos end;
		try (OracleEngine primary = new OracleEngine(primaryDb, this.oracle, false, new FileReplicaClient(replicaRoot))) {
			assertThat(primary.database().position().orElseThrow().generation()).isNotEqualTo(first);
			primary.commit(20);
			primary.awaitReplicated();
			end = primary.database().position().orElseThrow();
		}
		awaitPosition(follower, end);
		assertThat(stateOf(follower)).isEqualTo(this.oracle.lastLogged());
		assertThat(follower.status().restores()).isEqualTo(2);
		follower.close();
	}

	@Test
	void reportsAnOutageAndRestoresAgainWhenRetentionRemovedTheWalItNeeded() throws Exception {
		Path replicaRoot = this.dir.resolve("replica");
		AtomicBoolean down = new AtomicBoolean();
		ReplicaClient flaky = new ForwardingReplicaClient(new FileReplicaClient(replicaRoot)) {

			@Override
			public List<WalSegmentInfo> walSegments(String generation) throws IOException {
				if (down.get()) {
					throw new IOException("replica unreachable (test)");
				}
				return super.walSegments(generation);
			}

		};
		ReplicaFollower follower = new ReplicaFollower(flaky, this.dir.resolve("f.db"), FAST);
		Pos end;
		try (OracleEngine primary = new OracleEngine(this.dir.resolve("primary.db"), this.oracle, true,
				new FileReplicaClient(replicaRoot))) {
			primary.commit(20);
			primary.awaitReplicated();
			follower.start();
			awaitPosition(follower, primary.database().position().orElseThrow());
			down.set(true);
			await().atMost(Duration.ofSeconds(10)).until(() -> follower.status().failingSince() != null);
			assertThat(follower.status().lastError()).contains("replica unreachable");
			primary.commit(20);
			primary.newIndex();
			primary.commit(20);
			primary.awaitReplicated();
			Replica replica = primary.litestream().replicas(primary.database()).get(0);
			primary.litestream().snapshotNow(replica).get();
			primary.commit(5);
			primary.awaitReplicated();
			end = primary.database().position().orElseThrow();
		}
		// Retention after the new snapshot: the WAL before its index is gone.
		FileReplicaClient files = new FileReplicaClient(replicaRoot);
		for (WalSegmentInfo segment : files.walSegments(end.generation())) {
			if (segment.index() < end.index()) {
				files.deleteWalSegments(List.of(segment.pos()));
			}
		}
		down.set(false);
		follower.wakeUp();
		awaitPosition(follower, end);
		FollowerStatus status = follower.status();
		assertThat(status.failingSince()).isNull();
		assertThat(status.restores()).isEqualTo(2);
		assertThat(stateOf(follower)).isEqualTo(this.oracle.lastLogged());
		follower.close();
	}

	@Test
	void appliesTheRestOfTheLastSegmentAppliedWhenItIsRewrittenWithMoreBytes() throws Exception {
		Path replicaRoot = this.dir.resolve("replica");
		GrowingNewestSegment primaryReplica = new GrowingNewestSegment(new FileReplicaClient(replicaRoot));
		ReplicaFollower follower = new ReplicaFollower(new FileReplicaClient(replicaRoot), this.dir.resolve("f.db"), FAST);
		Pos end;
		try (OracleEngine primary = new OracleEngine(this.dir.resolve("primary.db"), this.oracle, true, primaryReplica)) {
			primary.commit(20);
			primary.awaitReplicated();
			follower.start();
			awaitPosition(follower, primary.database().position().orElseThrow());
			// As a writer does once its index is past 4 GiB: the newest segment, already applied
			// by the follower, is rewritten with the next transactions after its own bytes. No
			// other segment shows them, and a standby promoted now must have them.
			primaryReplica.grow = true;
			primary.commit(5);
			primary.awaitReplicated();
			awaitPosition(follower, primary.database().position().orElseThrow());
			assertThat(stateOf(follower)).isEqualTo(this.oracle.lastLogged());
			primaryReplica.grow = false;
			primary.newIndex();
			primary.commit(5);
			primary.awaitReplicated();
			end = primary.database().position().orElseThrow();
		}
		awaitPosition(follower, end);
		assertThat(stateOf(follower)).isEqualTo(this.oracle.lastLogged());
		assertThat(follower.status().restores()).as("the rest was applied, without a restore").isEqualTo(1);
		follower.close();
	}

	@Test
	void aCopyThatIsToBeRestoredAgainIsNotHandedOverAsANewDatabase() throws Exception {
		Path replicaRoot = this.dir.resolve("replica");
		FileReplicaClient files = new FileReplicaClient(replicaRoot);
		// Polled only when woken: nothing restores between the failed apply and stop().
		ReplicaFollower follower = new ReplicaFollower(files, this.dir.resolve("f.db"),
				FAST.withPollInterval(Duration.ofHours(1)).withMaxBackoff(Duration.ofHours(1)));
		try (OracleEngine primary = new OracleEngine(this.dir.resolve("primary.db"), this.oracle, true,
				new FileReplicaClient(replicaRoot))) {
			primary.commit(20);
			primary.awaitReplicated();
			follower.start();
			awaitPosition(follower, primary.database().position().orElseThrow());
		}
		// The newest segment, already applied, rewritten longer with bytes that do not continue it.
		String generation = files.generations().get(0);
		List<WalSegmentInfo> segments = files.walSegments(generation);
		WalSegmentInfo newest = segments.get(segments.size() - 1);
		byte[] bytes;
		try (InputStream in = Lz4.decompress(files.openWalSegment(newest.pos()))) {
			bytes = in.readAllBytes();
		}
		byte[] longer = Arrays.copyOf(bytes, bytes.length + 24 + 4096);
		Arrays.fill(longer, bytes.length, longer.length, (byte) 7);
		files.writeWalSegment(newest.pos(), Lz4.compressing(new ByteArrayInputStream(longer)));
		follower.wakeUp();
		await().atMost(Duration.ofSeconds(30)).until(() -> follower.status().lastError() != null);
		assertThatExceptionOfType(IOException.class).isThrownBy(() -> follower.stop(Duration.ofSeconds(10)))
			.withMessageContaining("is not handed over: it is to be restored again");
	}

	/** Writes each segment as a longer version of the index's newest one while {@code grow} is set. */
	private static final class GrowingNewestSegment extends ForwardingReplicaClient {

		volatile boolean grow;

		private Pos newest;

		private byte[] newestBytes = new byte[0];

		GrowingNewestSegment(ReplicaClient delegate) {
			super(delegate);
		}

		@Override
		public WalSegmentInfo writeWalSegment(Pos pos, InputStream lz4) throws IOException {
			byte[] bytes;
			try (InputStream in = Lz4.decompress(lz4)) {
				bytes = in.readAllBytes();
			}
			if (this.grow && this.newest != null && this.newest.index() == pos.index()
					&& this.newest.offset() + this.newestBytes.length == pos.offset()) {
				byte[] grown = Arrays.copyOf(this.newestBytes, this.newestBytes.length + bytes.length);
				System.arraycopy(bytes, 0, grown, this.newestBytes.length, bytes.length);
				pos = this.newest;
				bytes = grown;
			}
			this.newest = pos;
			this.newestBytes = bytes;
			return super.writeWalSegment(pos, Lz4.compressing(new ByteArrayInputStream(bytes)));
		}

	}

	@Test
	void aSegmentWhoseDownloadBreaksLeavesNothingBehind() throws Exception {
		Path replicaRoot = this.dir.resolve("replica");
		AtomicBoolean cut = new AtomicBoolean();
		ReplicaClient flaky = new ForwardingReplicaClient(new FileReplicaClient(replicaRoot)) {

			@Override
			public InputStream openWalSegment(Pos pos) throws IOException {
				InputStream whole = super.openWalSegment(pos);
				if (!cut.get()) {
					return whole;
				}
				// Every block arrives, then the connection breaks before the frame's end mark.
				byte[] bytes;
				try (whole) {
					bytes = whole.readAllBytes();
				}
				return BreakingStreams.breaksAfter(bytes, bytes.length - 8, new IOException("connection reset (test)"));
			}

		};
		AtomicBoolean primaryDown = new AtomicBoolean();
		ReplicaClient primaryReplica = new ForwardingReplicaClient(new FileReplicaClient(replicaRoot)) {

			@Override
			public WalSegmentInfo writeWalSegment(Pos pos, InputStream lz4) throws IOException {
				if (primaryDown.get()) {
					throw new IOException("replica unreachable (test)");
				}
				return super.writeWalSegment(pos, lz4);
			}

		};
		Path primaryDb = this.dir.resolve("primary.db");
		Path followed = this.dir.resolve("f.db");
		ReplicaFollower follower = new ReplicaFollower(flaky, followed, FAST);
		Pos end;
		try (OracleEngine primary = new OracleEngine(primaryDb, this.oracle, true, primaryReplica);
				Connection filler = DriverManager.getConnection("jdbc:sqlite:" + primaryDb);
				Statement sql = filler.createStatement()) {
			sql.execute("CREATE TABLE filler (b BLOB)");
			primary.commit(20);
			primary.awaitReplicated();
			follower.start();
			Pos before = primary.database().position().orElseThrow();
			awaitPosition(follower, before);
			// One segment with a small transaction, then one larger than the copy's buffer, so that
			// whole transactions are in the file before the download breaks.
			primaryDown.set(true);
			primary.commit(1);
			sql.execute("INSERT INTO filler VALUES (randomblob(700000))");
			cut.set(true);
			primaryDown.set(false);
			primary.awaitReplicated();
			await().atMost(Duration.ofSeconds(10)).until(() -> follower.status().failingSince() != null);
			assertThat(follower.status().lastError()).contains("connection reset");
			end = follower.stop(Duration.ofSeconds(10)).orElseThrow();
			assertThat(end).isEqualTo(before);
		}
		// Recorded only if the followed WAL ends exactly at the position. (The engine then still
		// starts a new generation here: the replica holds more than the follower reached.)
		assertThat(GenerationContinuation.recorded(followed)).as("the WAL ends where the follower stopped")
			.contains(end);
	}

	static void awaitPosition(ReplicaFollower follower, Pos end) {
		await().atMost(Duration.ofSeconds(30)).until(() -> end.equals(follower.status().position()));
	}

	/** The committed state the follower's file holds, checked on a copy made between two segments. */
	private int stateOf(ReplicaFollower follower) throws Exception {
		return stateOf(this.dir, follower, this.oracle);
	}

	static int stateOf(Path dir, ReplicaFollower follower, ConsistencyOracle history) throws Exception {
		Path copy = Files.createTempFile(dir, "moment", ".db");
		follower.read((database, position) -> Files.copy(database, copy, StandardCopyOption.REPLACE_EXISTING));
		try {
			return history.check(copy).state();
		}
		finally {
			Files.delete(copy);
		}
	}

	/** Logs the one transaction a killed writer may have committed without logging it. */
	private static void adopt(ConsistencyOracle history, Path database) throws Exception {
		ConsistencyOracle.Match match = history.check(database);
		if (!match.unlogged()) {
			return;
		}
		List<Integer> ids = new ArrayList<>();
		try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + database);
				Statement s = c.createStatement();
				ResultSet rs = s.executeQuery("SELECT id FROM pages WHERE version = " + match.state())) {
			while (rs.next()) {
				ids.add(rs.getInt(1));
			}
		}
		history.committed(0, ids.stream().mapToInt(Integer::intValue).toArray());
	}

	private static void deleteTree(Path root) throws IOException {
		try (var paths = Files.walk(root)) {
			for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
				Files.delete(path);
			}
		}
	}


}
