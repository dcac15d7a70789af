package io.github.litestream;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import io.github.litestream.FollowAndTakeOver.ClientSupplier;
import io.github.litestream.lease.LeaseHolder;
import io.github.litestream.lease.LeaseOptions;
import io.github.litestream.lease.LeaseRecord;
import io.github.litestream.lease.ReplicaLease;
import io.github.litestream.replica.Pos;
import io.github.litestream.replica.ReplicaClient;
import io.github.litestream.restore.RestoreOptions;
import io.github.litestream.restore.Restorer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A primary and a {@link Standby} on one replica, for every backend's tests and the benchmarks:
 * the primary writes {@link PageWriter} transactions while the standby follows; the primary
 * stops (SIGTERM of a child JVM, a close in this JVM, or SIGKILL of a child JVM); the standby
 * takes the lease, checks that its file holds what it must (the primary's last commit after a
 * clean stop, everything that reached the replica after a kill), and an engine on it commits
 * more. The replica must then hold one generation, only objects the stock Litestream CLI reads
 * ({@link StockLayout}), and restore to the last commit both with our {@link Restorer} and as
 * the stock CLI does ({@link CliRestore}); its lease must be one epoch past the old primary's.
 */
public final class StandbyScenario {

	/** The lease of both instances: short, so a takeover after a kill is quick. */
	public static final LeaseOptions LEASE = new LeaseOptions(true, Duration.ofSeconds(2));

	/** How often the standby reads the lease. */
	public static final Duration LEASE_POLL = Duration.ofMillis(100);

	private final Path dir;

	private final ReplicaObjects objects;

	/** Who the standby, and the engine it starts, are in the lease. */
	private final LeaseHolder standbyHolder = LeaseHolder.newInstance();

	/**
	 * Creates the scenario.
	 * @param dir an empty directory for the databases and logs
	 * @param objects the replica's objects as files, for the checks of the stock CLI's view
	 */
	public StandbyScenario(Path dir, ReplicaObjects objects) {
		this.dir = dir;
		this.objects = objects;
	}

	/**
	 * Starts a child JVM primary, then stops it with SIGTERM (or kills it with SIGKILL) once it
	 * wrote for a moment, while a standby follows.
	 * @param writer {@link GracefulWriter} or a main class running it with another client
	 * @param replica the replica, as the writer's arguments name it
	 * @param extraArgs more arguments for the writer (an S3 endpoint)
	 * @param environment the child's environment additions
	 * @param kill {@code true} for SIGKILL, {@code false} for SIGTERM
	 * @param clients makes clients of the replica
	 * @return what happened
	 * @throws Exception if anything fails
	 */
	public Result childPrimary(Class<?> writer, String replica, List<String> extraArgs, Map<String, String> environment,
			boolean kill, ClientSupplier clients) throws Exception {
		Path primaryDir = this.dir.resolve(kill ? "killed" : "stopped");
		Files.createDirectories(primaryDir);
		Path log = primaryDir.resolve("history.log");
		List<String> args = new ArrayList<>(List.of(primaryDir.resolve("app.db").toString(), replica, log.toString()));
		args.addAll(extraArgs);
		Path stderr = primaryDir.resolve("writer.err");
		ProcessBuilder builder = ChildJvm.builder(writer, List.of("-Xmx128m"), args.toArray(String[]::new))
			.redirectError(stderr.toFile());
		builder.environment().putAll(environment);
		builder.environment().put("LITESTREAM_TEST_LEASE_TTL_MS", Long.toString(LEASE.ttl().toMillis()));
		CompletableFuture<ConsistencyOracle> history = new CompletableFuture<>();
		AtomicReference<Integer> reached = new AtomicReference<>();
		Takeover takeover = new Takeover(clients, history, kill);
		Process child = builder.start();
		long stoppedAt;
		try (ReplicaClient followed = clients.get();
				Standby standby = newStandby(followed)) {
			try (BufferedReader out = new BufferedReader(
					new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
				String line = out.readLine();
				if (line == null || !line.startsWith("snapshot ")) {
					throw new IOException("The primary stopped before its first snapshot; its stderr is in " + stderr);
				}
				standby.start(takeover::promoted);
				await().atMost(Duration.ofSeconds(30)).until(() -> standby.status().lease() != null);
				LockSupport.parkNanos(Duration.ofMillis(new SplittableRandom().nextInt(800, 1500)).toNanos());
				assertThat(standby.status().state()).isEqualTo(Standby.State.STANDBY);
				assertThat(standby.status().lease().holder()).isNotEqualTo(standby.holder());
				if (!kill) {
					takeover.oldLease = storedLease(clients);
				}
			}
			finally {
				stoppedAt = System.nanoTime();
				if (kill) {
					child.destroyForcibly();
				}
				else {
					child.destroy();
				}
			}
			assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
			assertThat(child.exitValue()).as("exit of the primary; its stderr is in %s", stderr)
				.isEqualTo(kill ? 137 : 143);
			ConsistencyOracle logged = ConsistencyOracle.read(log);
			if (kill) {
				// Nothing writes to the replica now: what it holds is what the standby must have.
				Path restored = primaryDir.resolve("reached.db");
				takeover.oldLease = storedLease(clients);
				try (ReplicaClient client = clients.get()) {
					new Restorer().restore(client, RestoreOptions.latest(restored));
				}
				reached.set(logged.check(restored).state());
			}
			else {
				reached.set(logged.lastLogged());
			}
			takeover.expect(reached.get());
			history.complete(logged);
			assertThat(standby.awaitPrimary(Duration.ofSeconds(30))).as("promoted: %s", standby.status()).isTrue();
		}
		return takeover.finish(stoppedAt);
	}

	/**
	 * A primary in this JVM that closes (final flush, lease released) while a standby follows.
	 * @param clients makes clients of the replica
	 * @return what happened
	 * @throws Exception if anything fails
	 */
	public Result primaryClosedInJvm(ClientSupplier clients) throws Exception {
		ConsistencyOracle oracle = new ConsistencyOracle(OracleEngine.ROWS);
		CompletableFuture<ConsistencyOracle> history = new CompletableFuture<>();
		Takeover takeover = new Takeover(clients, history, false);
		long stoppedAt;
		try (ReplicaClient followed = clients.get(); Standby standby = newStandby(followed)) {
			OracleEngine primary = new OracleEngine(this.dir.resolve("primary.db"), oracle, true, true, LEASE,
					LeaseHolder.newInstance(), clients.get());
			try {
				primary.commit(20);
				primary.awaitReplicated();
				standby.start(takeover::promoted);
				for (int i = 1; i <= 300; i++) {
					primary.commit(1);
					if (i % 100 == 0) {
						primary.newIndex();
					}
					LockSupport.parkNanos(2_000_000);
				}
				takeover.oldLease = storedLease(clients);
			}
			finally {
				stoppedAt = System.nanoTime();
				primary.close();
			}
			takeover.expect(oracle.lastLogged());
			history.complete(oracle);
			assertThat(standby.awaitPrimary(Duration.ofSeconds(30))).as("promoted: %s", standby.status()).isTrue();
		}
		return takeover.finish(stoppedAt);
	}

	private static LeaseRecord storedLease(ClientSupplier clients) throws Exception {
		try (ReplicaClient client = clients.get()) {
			return LeaseRecord.parse(
					client.conditionalObjects().orElseThrow().read(ReplicaLease.OBJECT).orElseThrow().content());
		}
	}

	private Standby newStandby(ReplicaClient followed) {
		return new Standby("r0", followed, this.dir.resolve("standby.db"), LEASE, this.standbyHolder,
				ReplicaFollowerTests.FAST, LEASE_POLL, Clock.systemUTC());
	}

	/**
	 * What a handover or takeover did.
	 * @param generation the replica's only generation
	 * @param keptState the committed state the standby's file held when it took over
	 * @param millisToFirstWrite from the primary's stop (the signal, or the close) to the new
	 * primary's first commit
	 * @param millisToPromotion from the stop to the standby's promotion (lease taken, file
	 * handed over)
	 * @param millisWaitingForTest how long the promotion waited for the test to read the old
	 * primary's history (part of {@code millisToFirstWrite}, not of a real takeover)
	 */
	public record Result(String generation, int keptState, long millisToFirstWrite, long millisToPromotion,
			long millisWaitingForTest) {
	}

	/** The standby's promotion and the checks after it. */
	private final class Takeover {

		private final ClientSupplier clients;

		private final CompletableFuture<ConsistencyOracle> history;

		private final boolean afterKill;

		private final CompletableFuture<Integer> expected = new CompletableFuture<>();

		private volatile OracleEngine engine;

		private volatile ConsistencyOracle oracle;

		private volatile int kept = -1;

		private volatile long firstWriteAt;

		private volatile long promotedAt;

		private volatile long historyAt;

		private volatile Instant firstWriteAtWall;

		/** The old primary's last lease: read just before a clean stop, or right after the kill. */
		private volatile LeaseRecord oldLease;

		private volatile Pos handedOver;

		Takeover(ClientSupplier clients, CompletableFuture<ConsistencyOracle> history, boolean afterKill) {
			this.clients = clients;
			this.history = history;
			this.afterKill = afterKill;
		}

		void expect(int state) {
			this.expected.complete(state);
		}

		void promoted(java.util.Optional<Pos> position) throws Exception {
			this.promotedAt = System.nanoTime();
			this.handedOver = position.orElseThrow(() -> new AssertionError("the standby handed over no position"));
			Path db = StandbyScenario.this.dir.resolve("standby.db");
			ConsistencyOracle logged = this.history.get(30, TimeUnit.SECONDS);
			this.historyAt = System.nanoTime();
			this.kept = logged.check(db).state();
			this.oracle = logged.upTo(this.kept);
			this.engine = new OracleEngine(db, this.oracle, false, true, LEASE,
					StandbyScenario.this.standbyHolder, this.clients.get());
			this.engine.commit(1);
			this.firstWriteAt = System.nanoTime();
			this.firstWriteAtWall = Instant.now();
		}

		Result finish(long stoppedAt) throws Exception {
			int expectedState = this.expected.get(1, TimeUnit.SECONDS);
			Pos start;
			// Closed even when a check fails: a leaked engine would keep renewing a deleted lease.
			try (OracleEngine next = this.engine) {
				if (this.afterKill) {
					// Safety: the dead primary could have written until its lease's expiry, not after.
					assertThat(this.firstWriteAtWall).isAfter(this.oldLease.expiresAt());
				}
				assertThat(this.kept).as(this.afterKill ? "everything that reached the replica is kept"
						: "nothing committed is lost").isEqualTo(expectedState);
				start = next.database().position().orElseThrow();
				next.commit(20);
				next.newIndex();
				next.commit(10);
				next.awaitReplicated();
			}
			assertThat(start.generation()).as("the new primary continues the generation")
				.isEqualTo(this.handedOver.generation());
			String generation = this.handedOver.generation();
			try (ReplicaClient replica = this.clients.get()) {
				assertThat(replica.generations()).containsExactly(generation);
				Path fin = StandbyScenario.this.dir.resolve("final.db");
				new Restorer().restore(replica, RestoreOptions.latest(fin));
				assertThat(this.oracle.check(fin).state()).isEqualTo(this.oracle.lastLogged());
			}
			checkAsTheStockCliSeesIt(generation);
			LeaseRecord lease = storedLease(this.clients);
			assertThat(lease.holder()).isEqualTo(StandbyScenario.this.standbyHolder);
			assertThat(lease.epoch()).as("one epoch for the promotion: the standby's holding, handed to its engine")
				.isEqualTo(this.oldLease.epoch() + 1);
			assertThat(lease.released()).as("released at the new primary's close").isTrue();
			return new Result(this.handedOver.generation(), this.kept,
					TimeUnit.NANOSECONDS.toMillis(this.firstWriteAt - stoppedAt),
					TimeUnit.NANOSECONDS.toMillis(this.promotedAt - stoppedAt),
					TimeUnit.NANOSECONDS.toMillis(this.historyAt - this.promotedAt));
		}

		/**
		 * The replica's real objects: only the stock layout, one generation, and the stock CLI's
		 * way of restoring (the lz4 and sqlite3 CLIs) gives the last commit, as our restore did.
		 */
		private void checkAsTheStockCliSeesIt(String generation) throws Exception {
			Path tree = StandbyScenario.this.objects
				.localTree(Files.createDirectories(StandbyScenario.this.dir.resolve("objects")));
			assertThat(StockLayout.generations(tree, this.afterKill)).as("generations among the replica's objects")
				.containsExactly(generation);
			Path cli = StandbyScenario.this.dir.resolve("cli.db");
			CliRestore.restore(tree, generation, cli);
			assertThat(this.oracle.check(cli).state()).as("restored as the stock CLI does")
				.isEqualTo(this.oracle.lastLogged());
		}

	}

}
