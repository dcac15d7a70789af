package io.github.litestream.replica;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.stream.Stream;

import io.github.litestream.replica.file.FileReplicaClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What retention deletes of the generations other than the current one: those that ended
 * before it began, once none of their snapshots is recent, but never one written to after it
 * began (another writer's history, which no later generation holds).
 */
class RetentionPolicyTests {

	private static final String OLD = "00000000000000aa";

	private static final String CURRENT = "00000000000000bb";

	private final Instant now = Instant.now();

	@TempDir
	Path dir;

	@Test
	void anOtherGenerationThatEndedBeforeTheCurrentOneBeganGoes() throws IOException {
		FileReplicaClient client = replica(this.now.minus(Duration.ofHours(3)));
		new RetentionPolicy(client, this.now.minus(Duration.ofHours(24))).enforce(CURRENT, new SnapshotCatalog());
		assertThat(client.generations()).containsExactly(CURRENT);
	}

	@Test
	void anOtherGenerationWrittenToAfterTheCurrentOneBeganIsKept() throws IOException {
		FileReplicaClient client = replica(this.now.minus(Duration.ofHours(1)));
		new RetentionPolicy(client, this.now.minus(Duration.ofHours(24))).enforce(CURRENT, new SnapshotCatalog());
		assertThat(client.generations()).containsExactly(OLD, CURRENT);
	}

	/**
	 * The old generation: a snapshot from 25 hours ago and a segment written at
	 * {@code lastWrite}; the current one: a snapshot from two hours ago.
	 */
	private FileReplicaClient replica(Instant lastWrite) throws IOException {
		Path root = this.dir.resolve("replica");
		FileReplicaClient client = new FileReplicaClient(root);
		client.writeSnapshot(OLD, 0, new ByteArrayInputStream(new byte[] { 1 }));
		client.writeWalSegment(new Pos(OLD, 0, 0), new ByteArrayInputStream(new byte[] { 2 }));
		client.writeSnapshot(CURRENT, 0, new ByteArrayInputStream(new byte[] { 3 }));
		setTimes(root.resolve("generations/" + OLD + "/snapshots"), this.now.minus(Duration.ofHours(25)));
		setTimes(root.resolve("generations/" + OLD + "/wal"), lastWrite);
		setTimes(root.resolve("generations/" + CURRENT), this.now.minus(Duration.ofHours(2)));
		return client;
	}

	private static void setTimes(Path directory, Instant time) throws IOException {
		try (Stream<Path> files = Files.walk(directory)) {
			for (Path file : files.filter(Files::isRegularFile).toList()) {
				Files.setLastModifiedTime(file, FileTime.from(time));
			}
		}
	}

}
