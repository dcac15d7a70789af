package io.github.litestream;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import io.github.litestream.ReplicationTimeline.LossWindow;
import io.github.litestream.age.AgeCli;
import io.github.litestream.age.AgeIdentity;
import io.github.litestream.replica.AgeReplicaClient;
import io.github.litestream.replica.file.FileReplicaClient;
import io.github.litestream.restore.RestoreOptions;
import io.github.litestream.restore.Restorer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The crash test with an age-encrypted replica: a child JVM replicates page-changing
 * transactions through {@link AgeReplicaClient} until SIGKILL; the latest restore with the
 * identity must equal exactly one committed state ({@link ConsistencyOracle}) and lose only
 * the last moments; and the objects it wrote are what the {@code age} and {@code lz4} CLIs read
 * as SQLite bytes.
 */
class EncryptedConsistencyCrashTests {

	private static final int ROUNDS = 2;

	@TempDir
	Path dir;

	@Test
	void latestRestoreAfterSigkillEqualsOneCommittedState() throws Exception {
		AgeIdentity identity = AgeIdentity.generate();
		long seed = System.nanoTime();
		SplittableRandom random = new SplittableRandom(seed);
		for (int round = 1; round <= ROUNDS; round++) {
			Path roundDir = Files.createDirectories(this.dir.resolve("round-" + round));
			boolean afterSnapshot = round % 2 == 1;
			long killedAt = KilledWriter.run(AgeConsistentWriter.class, roundDir, roundDir.resolve("replica").toString(),
					null, Map.of("AGE_RECIPIENT", identity.recipient().toString()), afterSnapshot, random);
			ConsistencyOracle oracle = ConsistencyOracle.read(roundDir.resolve("history.log"));
			Path restored = roundDir.resolve("restored.db");
			new Restorer().restore(new AgeReplicaClient(new FileReplicaClient(roundDir.resolve("replica")),
					List.of(identity.recipient()), List.of(identity)), RestoreOptions.latest(restored));
			String context = "round " + round + " (seed " + seed + ", files in " + roundDir + ")";
			assertThat(ConsistencyCrashTests.integrityCheck(restored)).as(context).isEqualTo("ok");
			ConsistencyOracle.Match match = oracle.check(restored);
			LossWindow window = ConsistentWriter.lossWindow(roundDir.resolve("history.log"), killedAt);
			assertThat(match.state()).as("%s restores every transaction committed %s before the kill", context, window)
				.isGreaterThanOrEqualTo(oracle.lastCommittedBefore(killedAt - window.toMillis()));
		}
	}

	@Test
	void theAgeAndLz4ToolsReadWhatItWritesAsSqliteBytes() throws Exception {
		AgeCli.assumeInstalled();
		Path identityFile = this.dir.resolve("identity.txt");
		String recipient = AgeCli.keygen(identityFile);
		KilledWriter.run(AgeConsistentWriter.class, this.dir, this.dir.resolve("replica").toString(), null,
				Map.of("AGE_RECIPIENT", recipient), true, new SplittableRandom(1));
		Path snapshot;
		try (Stream<Path> files = Files.walk(this.dir.resolve("replica"))) {
			snapshot = files.filter((file) -> file.toString().endsWith(".snapshot.lz4"))
				.max(Comparator.naturalOrder())
				.orElseThrow();
		}
		Path lz4 = this.dir.resolve("snapshot.lz4");
		Files.write(lz4, AgeCli.decrypt(identityFile, snapshot));
		Path database = this.dir.resolve("snapshot.db");
		run(List.of("lz4", "-d", "-f", lz4.toString(), database.toString()));
		byte[] header = Files.readAllBytes(database);
		assertThat(new String(header, 0, 16, StandardCharsets.US_ASCII)).isEqualTo("SQLite format 3\0");
		assertThat(new String(run(List.of("sqlite3", database.toString(), "PRAGMA integrity_check")),
				StandardCharsets.UTF_8).trim()).isEqualTo("ok");
	}

	private static byte[] run(List<String> command) throws IOException, InterruptedException {
		Process process = CommandLineTools
			.start(new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT));
		process.getOutputStream().close();
		byte[] out = process.getInputStream().readAllBytes();
		assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
		assertThat(process.exitValue()).as("exit code of %s", command).isZero();
		return out;
	}

}
