package io.github.litestream.replica.sftp;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

import io.github.litestream.lease.LeaseHolder;
import io.github.litestream.lease.LeaseOptions;
import io.github.litestream.lease.LeaseUnsupportedException;
import io.github.litestream.lease.ReplicaLease;
import io.github.litestream.replica.ConditionalObjects;
import io.github.litestream.replica.ConditionalObjectsContractTest;
import io.github.litestream.replica.ConditionalWriteConflictException;
import io.github.litestream.replica.ReplicaClient;
import io.github.litestream.replica.ReplicaOperation;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * {@link SftpConditionalObjects} against a real SFTP server (MINA SSHD in this JVM, which
 * offers {@code hardlink@openssh.com} as OpenSSH does): the contract every backend shares
 * (racing writers, exactly one wins), and what numbered versions add: the files on the server,
 * old versions removed, temporary files never read, and a writer that paused between its
 * check and its claim while others moved on.
 */
class SftpConditionalObjectsTests extends ConditionalObjectsContractTest {

	@RegisterExtension
	static final SftpTestServer server = new SftpTestServer();

	private final RecordingListener operations = new RecordingListener();

	private String path;

	@Override
	protected ReplicaClient createClient() {
		this.path = server.newReplicaPath();
		return SftpReplicaClient.open(server.passwordConfig(this.path).build(), this.operations);
	}

	@AfterEach
	void restoreServer() {
		server.beforeEveryWrite(null);
	}

	@Test
	void versionsAreNumberedFilesAtTheRootOfWhichTheLastTwoAreKept() throws IOException {
		String version = objects().create("lease.json", bytes("v1"));
		for (int i = 2; i <= 5; i++) {
			version = objects().replace("lease.json", bytes("v" + i), version);
		}

		assertThat(version).isEqualTo("5");
		assertThat(filesAtRoot()).containsExactlyInAnyOrder("lease.json.4", "lease.json.5");
		assertThat(server.file(this.path + "/lease.json.5")).hasContent("v5");
		assertThat(server.file(this.path + "/lease.json.4")).hasContent("v4");
	}

	@Test
	void theRootDirectoryIsCreatedWhenMissing() throws IOException {
		assertThat(server.file(this.path)).doesNotExist();
		objects().create("lease.json", bytes("one"));
		assertThat(server.file(this.path + "/lease.json.1")).hasContent("one");
	}

	@Test
	void temporaryAndForeignFilesAreNeverReadAsVersions() throws IOException {
		String version = objects().create("lease.json", bytes("real"));
		Path root = server.file(this.path);
		Files.writeString(root.resolve(".lease.json.1234.tmp"), "half");
		Files.writeString(root.resolve("lease.json.7.tmp"), "half");
		Files.writeString(root.resolve("lease.json.07"), "padded");
		Files.writeString(root.resolve("lease.json"), "unnumbered");
		Files.createDirectory(root.resolve("lease.json.9"));

		assertThat(objects().read("lease.json").orElseThrow().content()).isEqualTo(bytes("real"));
		assertThat(objects().replace("lease.json", bytes("next"), version)).isEqualTo("2");
	}

	@Test
	void aWriterWhoseCheckWasOvertakenBeforeItsClaimReportsAConflict() throws IOException {
		String version = objects().create("lease.json", bytes("one"));
		// While this writer uploads, others write versions 2 and 3 and remove 2 as old: the
		// name this writer claims next is free again, but no longer the newest.
		AtomicBoolean overtaken = new AtomicBoolean();
		server.beforeEveryWrite((file) -> {
			if (overtaken.compareAndSet(false, true)) {
				write(file.resolveSibling("lease.json.3"), "three");
			}
		});

		assertThatExceptionOfType(ConditionalWriteConflictException.class)
			.isThrownBy(() -> objects().replace("lease.json", bytes("late"), version))
			.withMessageContaining("version 3 is newer");
		assertThat(objects().read("lease.json").orElseThrow().version()).isEqualTo("3");
		assertThat(objects().read("lease.json").orElseThrow().content()).isEqualTo(bytes("three"));
	}

	@Test
	void aStaleReplaceLeavesNoFileBehind() throws IOException {
		String first = objects().create("lease.json", bytes("one"));
		objects().replace("lease.json", bytes("two"), first);
		assertThatExceptionOfType(ConditionalWriteConflictException.class)
			.isThrownBy(() -> objects().replace("lease.json", bytes("three"), first))
			.withMessageContaining("version 1 is not the newest (2 is)");
		assertThat(filesAtRoot()).containsExactlyInAnyOrder("lease.json.1", "lease.json.2");
	}

	@Test
	void aLostRaceLeavesNoTemporaryFile() throws IOException {
		objects().create("lease.json", bytes("one"));
		server.beforeEveryWrite((file) -> write(file.resolveSibling("lease.json.2"), "other"));
		String version = "1";
		assertThatExceptionOfType(ConditionalWriteConflictException.class)
			.isThrownBy(() -> objects().replace("lease.json", bytes("mine"), version))
			.withMessageContaining("version 2 was written by someone else first");
		assertThat(filesAtRoot()).containsExactlyInAnyOrder("lease.json.1", "lease.json.2");
	}

	@Test
	void requestsAreCounted() throws IOException {
		objects().create("lease.json", bytes("one"));
		assertThat(this.operations.count(ReplicaOperation.PUT)).isEqualTo(1);
		assertThat(this.operations.count(ReplicaOperation.LIST)).isEqualTo(2);
		objects().read("lease.json");
		assertThat(this.operations.count(ReplicaOperation.GET)).isEqualTo(1);
	}

	@Test
	void badNamesAndVersionsAreRefused() {
		assertThatIllegalArgumentException().isThrownBy(() -> objects().create("generations/lease.json", bytes("x")));
		assertThatIllegalArgumentException().isThrownBy(() -> objects().create(".lease.json", bytes("x")));
		assertThatIllegalArgumentException().isThrownBy(() -> objects().replace("lease.json", bytes("x"), "\"etag\""));
	}

	@Test
	void aHardLinkGivesAFileASecondNameOnlyIfThatNameIsFree() throws IOException {
		objects().create("lease.json", bytes("one"));
		Path root = server.file(this.path);
		Files.writeString(root.resolve("a"), "content");
		Files.writeString(root.resolve("taken"), "other");
		SftpReplicaConfig config = server.passwordConfig(this.path).build();
		try (SftpConnection connection = new SftpConnection(config);
				SftpConnection.Channel channel = connection.channel()) {
			OpenSshHardLink hardLink = OpenSshHardLink.of(channel.sftp());
			assertThat(hardLink).isNotNull();
			hardLink.link(this.path + "/a", this.path + "/b");
			assertThatExceptionOfType(IOException.class).isThrownBy(() -> hardLink.link(this.path + "/a", this.path + "/taken"));
			assertThat(SftpFiles.claim(channel.sftp(), this.path + "/a", this.path + "/taken")).isFalse();
		}
		assertThat(root.resolve("b")).hasContent("content");
		assertThat(root.resolve("a")).hasContent("content");
		assertThat(root.resolve("taken")).hasContent("other");
	}

	@Test
	void withoutHardLinksTheServersRenameClaimsTheName() throws IOException {
		server.offerHardLinks(false);
		SftpReplicaConfig config = server.passwordConfig(server.newReplicaPath()).build();
		try (SftpConnection connection = new SftpConnection(config);
				ReplicaClient client = new SftpReplicaClient(connection, this.operations)) {
			try (SftpConnection.Channel channel = connection.channel()) {
				assertThat(channel.sftp().getServerExtensions()).doesNotContainKey(OpenSshHardLink.NAME)
					.containsKey("posix-rename@openssh.com");
			}
			ConditionalObjects objects = client.conditionalObjects().orElseThrow();
			String first = objects.create("lease.json", bytes("one"));
			assertThatExceptionOfType(ConditionalWriteConflictException.class)
				.isThrownBy(() -> objects.create("lease.json", bytes("two")));
			String second = objects.replace("lease.json", bytes("two"), first);
			assertThatExceptionOfType(ConditionalWriteConflictException.class)
				.isThrownBy(() -> objects.replace("lease.json", bytes("three"), first));
			assertThat(objects.read("lease.json").orElseThrow().version()).isEqualTo(second);
			assertThat(objects.read("lease.json").orElseThrow().content()).isEqualTo(bytes("two"));
		}
		finally {
			server.offerHardLinks(true);
		}
	}

	@Test
	void aServerWhoseRenameReplacesAndThatOffersNoHardLinksIsRefusedForALease() throws IOException {
		assertThat(objects().exclusivityProblem()).as("hard links: a claim cannot replace").isEmpty();
		server.offerHardLinks(false);
		String path = server.newReplicaPath();
		SftpReplicaConfig config = server.passwordConfig(path).build();
		try (SftpConnection connection = new SftpConnection(config);
				ReplicaClient client = new SftpReplicaClient(connection, this.operations)) {
			ConditionalObjects objects = client.conditionalObjects().orElseThrow();
			assertThat(objects.exclusivityProblem()).as("a rename that refuses an existing name").isEmpty();
			server.renameReplaces(true);
			assertThat(objects.exclusivityProblem()).hasValueSatisfying(
					(problem) -> assertThat(problem).contains("rename replaces").contains("hardlink@openssh.com"));
			assertThatExceptionOfType(LeaseUnsupportedException.class)
				.isThrownBy(() -> new ReplicaLease("r", client.location(), objects, LeaseOptions.defaults(),
						LeaseHolder.newInstance(), Clock.systemUTC()).acquire())
				.withMessageContaining("rename replaces");
			try (Stream<Path> files = Files.list(server.file(path))) {
				assertThat(files.map((file) -> file.getFileName().toString())).as("the probe's files are removed")
					.noneMatch((name) -> name.contains("claim-probe"));
			}
		}
		finally {
			server.renameReplaces(false);
			server.offerHardLinks(true);
		}
	}

	private ConditionalObjects objects() {
		return this.client.conditionalObjects().orElseThrow();
	}

	private Stream<String> filesAtRootStream() throws IOException {
		return Files.list(server.file(this.path)).map((file) -> file.getFileName().toString());
	}

	private java.util.List<String> filesAtRoot() throws IOException {
		try (Stream<String> files = filesAtRootStream()) {
			return files.toList();
		}
	}

	private static void write(Path file, String content) {
		try {
			Files.writeString(file, content);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private static byte[] bytes(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}

}
