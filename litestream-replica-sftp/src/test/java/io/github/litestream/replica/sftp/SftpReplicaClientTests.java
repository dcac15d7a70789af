package io.github.litestream.replica.sftp;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import io.github.litestream.replica.Pos;
import io.github.litestream.replica.ReplicaClient;
import io.github.litestream.replica.ReplicaClientContractTest;
import io.github.litestream.replica.ReplicaOperation;
import io.github.litestream.replica.SnapshotInfo;
import io.github.litestream.replica.WalSegmentInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIOException;
import static org.awaitility.Awaitility.await;

/**
 * The {@link ReplicaClientContractTest} against a real SFTP server (MINA SSHD in this JVM),
 * logging in with a password, plus what only SFTP has: the directory tree on the server,
 * temporary names, reconnecting after the connection dropped, and request counting.
 */
class SftpReplicaClientTests extends ReplicaClientContractTest {

	@RegisterExtension
	static final SftpTestServer server = new SftpTestServer();

	private final RecordingListener operations = new RecordingListener();

	private String path;

	@Override
	protected ReplicaClient createClient() {
		this.path = server.newReplicaPath();
		return SftpReplicaClient.open(server.passwordConfig(this.path).build(), this.operations);
	}

	@Override
	protected void putRawObject(String key, byte[] content) throws Exception {
		Path file = server.file(this.path + "/" + key);
		Files.createDirectories(file.getParent());
		Files.write(file, content);
	}

	@Test
	void listsTheDatabasesThatDirectoryReplicationStoredBelowItsPath() throws Exception {
		String segment = "/generations/" + GEN_A + "/wal/00000000/00000000.wal.lz4";
		for (String database : new String[] { "b.db", "a.db", "eu/c.db", "eu/west/d.db" }) {
			putRawObject(database + segment, new byte[] { 1 });
		}
		// The root's own backups, a stray file and a plain file are not databases.
		putRawObject("generations/" + GEN_A + "/snapshots/00000000.snapshot.lz4", new byte[] { 1 });
		putRawObject("x/readme", new byte[] { 1 });
		putRawObject("plain.db", new byte[] { 1 });
		assertThat(this.client.databasesBelow(false)).containsExactly("a.db", "b.db");
		assertThat(this.client.databasesBelow(true)).containsExactly("a.db", "b.db", "eu/c.db", "eu/west/d.db");
	}

	@Test
	void writesTheFileReplicaTreeUnderThePathAndLeavesNoTemporaryFiles() throws Exception {
		byte[] content = randomBytes(100_000);
		this.client.writeSnapshot(GEN_A, 3, new ByteArrayInputStream(content));
		this.client.writeWalSegment(new Pos(GEN_A, 3, 0x1038), new ByteArrayInputStream(content));
		this.client.writeSnapshot(GEN_A, 3, new ByteArrayInputStream(content));
		Path generation = server.file(this.path + "/generations/" + GEN_A);
		assertThat(generation.resolve("snapshots/00000003.snapshot.lz4")).hasBinaryContent(content);
		assertThat(generation.resolve("wal/00000003_00001038.wal.lz4")).hasBinaryContent(content);
		try (Stream<Path> files = Files.walk(generation)) {
			assertThat(files.filter(Files::isRegularFile)).hasSize(2);
		}
	}

	@Test
	void aFailedUploadLeavesNoTemporaryFile() throws Exception {
		this.client.writeSnapshot(GEN_A, 1, new ByteArrayInputStream(randomBytes(10)));
		try {
			this.client.writeSnapshot(GEN_A, 2, failingAfter(100_000));
		}
		catch (java.io.IOException expected) {
			// the contract test checks the failure itself
		}
		try (Stream<Path> files = Files.list(server.file(this.path + "/generations/" + GEN_A + "/snapshots"))) {
			assertThat(files.map((file) -> file.getFileName().toString())).containsExactly("00000001.snapshot.lz4");
		}
	}

	@Test
	void anSftpV3ServerWithoutPosixRenameReplacesAFileAndKeepsTheOldOneWhenTheRenameFails() throws Exception {
		server.speakV3WithoutPosixRename(true);
		String v3Path = server.newReplicaPath();
		try (ReplicaClient v3 = SftpReplicaClient.open(server.passwordConfig(v3Path).build(), this.operations)) {
			byte[] first = randomBytes(1_000);
			byte[] second = randomBytes(2_000);
			v3.writeSnapshot(GEN_A, 1, new ByteArrayInputStream(first));
			v3.writeSnapshot(GEN_A, 1, new ByteArrayInputStream(second));
			Path snapshots = server.file(v3Path + "/generations/" + GEN_A + "/snapshots");
			assertThat(snapshots.resolve("00000001.snapshot.lz4")).hasBinaryContent(second);
			server.failRenamesOfTempFiles(true);
			assertThatIOException().isThrownBy(
					() -> v3.writeSnapshot(GEN_A, 1, new ByteArrayInputStream(randomBytes(3_000))));
			assertThat(snapshots.resolve("00000001.snapshot.lz4")).as("the replaced file is back")
				.hasBinaryContent(second);
			try (Stream<Path> files = Files.list(snapshots)) {
				assertThat(files.map((file) -> file.getFileName().toString()))
					.containsExactly("00000001.snapshot.lz4");
			}
		}
		finally {
			server.failRenamesOfTempFiles(false);
			server.speakV3WithoutPosixRename(false);
		}
	}

	@Test
	void readersBeyondTheChannelLimitWaitForAChannelInsteadOfFailing() throws Exception {
		String root = server.newReplicaPath();
		ExecutorService extra = Executors.newSingleThreadExecutor();
		try (SftpConnection connection = new SftpConnection(server.passwordConfig(root).build())) {
			ReplicaClient client = new SftpReplicaClient(connection, server.passwordConfig(root + "/a.db").build(),
					this.operations);
			client.writeSnapshot(GEN_A, 1, new ByteArrayInputStream(randomBytes(10)));
			List<InputStream> held = new java.util.ArrayList<>();
			for (int i = 0; i < SftpConnection.MAX_CHANNELS; i++) {
				held.add(client.openSnapshot(GEN_A, 1));
			}
			Future<byte[]> waiting = extra.submit(() -> {
				try (InputStream in = client.openSnapshot(GEN_A, 1)) {
					return in.readAllBytes();
				}
			});
			await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(5)).until(() -> !waiting.isDone());
			held.remove(0).close();
			assertThat(waiting.get(30, TimeUnit.SECONDS)).hasSize(10);
			for (InputStream in : held) {
				in.close();
			}
		}
		finally {
			extra.shutdownNow();
		}
	}

	@Test
	void reconnectsAfterTheServerDroppedTheConnection() throws Exception {
		this.client.writeSnapshot(GEN_A, 1, new ByteArrayInputStream(randomBytes(10)));
		server.dropConnections();
		this.client.writeSnapshot(GEN_A, 2, new ByteArrayInputStream(randomBytes(10)));
		server.dropConnections();
		assertThat(this.client.snapshots(GEN_A)).extracting(SnapshotInfo::index).containsExactly(1L, 2L);
		server.dropConnections();
		assertThat(read(this.client.openSnapshot(GEN_A, 2))).hasSize(10);
	}

	@Test
	void writesAgainAfterAnotherProcessRemovedTheDirectory() throws Exception {
		this.client.writeWalSegment(new Pos(GEN_A, 1, 0), new ByteArrayInputStream(randomBytes(10)));
		Path generation = server.file(this.path + "/generations/" + GEN_A);
		try (Stream<Path> files = Files.walk(generation)) {
			for (Path file : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
				Files.delete(file);
			}
		}
		this.client.writeWalSegment(new Pos(GEN_A, 2, 0), new ByteArrayInputStream(randomBytes(10)));
		assertThat(this.client.walSegments(GEN_A)).extracting(WalSegmentInfo::pos).containsExactly(new Pos(GEN_A, 2, 0));
	}

	@Test
	void readersInParallelEachGetTheirOwnStream() throws Exception {
		byte[] first = randomBytes(300_000);
		byte[] second = randomBytes(200_000);
		this.client.writeSnapshot(GEN_A, 1, new ByteArrayInputStream(first));
		this.client.writeSnapshot(GEN_A, 2, new ByteArrayInputStream(second));
		try (InputStream a = this.client.openSnapshot(GEN_A, 1); InputStream b = this.client.openSnapshot(GEN_A, 2)) {
			byte[] headA = a.readNBytes(1000);
			byte[] all = b.readAllBytes();
			byte[] restA = a.readAllBytes();
			assertThat(all).isEqualTo(second);
			assertThat(concat(headA, restA)).isEqualTo(first);
		}
	}

	@Test
	void reportsEachRequestWithItsBytes() throws Exception {
		this.client.writeSnapshot(GEN_A, 1, new ByteArrayInputStream(randomBytes(5000)));
		read(this.client.openSnapshot(GEN_A, 1));
		this.client.snapshots(GEN_A);
		this.client.deleteSnapshot(GEN_A, 1);
		assertThat(this.operations.count(ReplicaOperation.PUT)).isEqualTo(1);
		assertThat(this.operations.bytes(ReplicaOperation.PUT)).isEqualTo(5000);
		assertThat(this.operations.count(ReplicaOperation.GET)).isEqualTo(1);
		assertThat(this.operations.bytes(ReplicaOperation.GET)).isEqualTo(5000);
		assertThat(this.operations.count(ReplicaOperation.LIST)).isEqualTo(1);
		assertThat(this.operations.count(ReplicaOperation.DELETE)).isEqualTo(1);
	}

	@Test
	void aPathRelativeToTheLoginDirectoryWorksToo() throws Exception {
		try (ReplicaClient relative = SftpReplicaClient.open(server.passwordConfig("nested/relative").build(),
				this.operations)) {
			relative.writeSnapshot(GEN_B, 7, new ByteArrayInputStream(new byte[] { 1, 2, 3 }));
			assertThat(relative.location()).isEqualTo("sftp://litestream@" + server.host() + "/~/nested/relative");
			assertThat(server.file("/nested/relative/generations/" + GEN_B + "/snapshots/00000007.snapshot.lz4"))
				.hasBinaryContent(new byte[] { 1, 2, 3 });
			assertThat(relative.generations()).containsExactly(GEN_B);
		}
	}

	@Test
	void locationNamesUserHostAndPathButNoPassword() {
		assertThat(this.client.location()).isEqualTo("sftp://litestream@" + server.host() + this.path)
			.doesNotContain(SftpTestServer.PASSWORD);
		assertThat(this.client.type()).isEqualTo("sftp");
		assertThat(List.of(this.client.toString(), server.passwordConfig(this.path).build().toString()))
			.allSatisfy((text) -> assertThat(text).doesNotContain(SftpTestServer.PASSWORD));
	}

	private static byte[] concat(byte[] a, byte[] b) {
		byte[] all = new byte[a.length + b.length];
		System.arraycopy(a, 0, all, 0, a.length);
		System.arraycopy(b, 0, all, a.length, b.length);
		return all;
	}

}
