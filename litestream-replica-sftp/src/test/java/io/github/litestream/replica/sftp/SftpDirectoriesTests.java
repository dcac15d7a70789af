package io.github.litestream.replica.sftp;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIOException;

/**
 * {@link SftpDirectories} against a real SFTP server (MINA SSHD in this JVM): a directory is
 * created with its parents, a directory it created is not asked for again until it is
 * forgotten, and forgetting a tree forgets that tree only. A directory removed behind its back
 * shows what it still remembers: it is not created again.
 */
class SftpDirectoriesTests {

	@RegisterExtension
	static final SftpTestServer server = new SftpTestServer();

	private final SftpDirectories directories = new SftpDirectories();

	private SftpConnection connection;

	private SftpRequests requests;

	private String root;

	@BeforeEach
	void connect() {
		this.root = server.newReplicaPath();
		this.connection = new SftpConnection(server.passwordConfig(this.root).build());
		this.requests = new SftpRequests(this.connection, Duration.ofMillis(1));
	}

	@AfterEach
	void disconnect() {
		this.connection.close();
	}

	@Test
	void aDirectoryIsCreatedWithItsParents() throws IOException {
		create("a/b/c");
		assertThat(server.file(this.root + "/a/b/c")).isDirectory();
	}

	@Test
	void aDirectoryItCreatedIsNotAskedForAgainUntilEverythingIsForgotten() throws IOException {
		create("a/b");
		removeOnServer("a/b");
		create("a/b");
		assertThat(server.file(this.root + "/a/b")).as("remembered, so not created again").doesNotExist();
		this.directories.forgetAll();
		create("a/b");
		assertThat(server.file(this.root + "/a/b")).isDirectory();
	}

	@Test
	void forgettingATreeForgetsItAndWhatIsBelowItOnly() throws IOException {
		create("gen/wal");
		create("generation");
		removeOnServer("gen/wal");
		removeOnServer("gen");
		removeOnServer("generation");
		this.directories.forgetTree(this.root + "/gen");
		create("gen/wal");
		create("generation");
		assertThat(server.file(this.root + "/gen/wal")).isDirectory();
		assertThat(server.file(this.root + "/generation")).as("a sibling whose name starts alike").doesNotExist();
	}

	@Test
	void aFileWhereADirectoryBelongsIsAnErrorNamingIt() throws IOException {
		create("a");
		Files.writeString(server.file(this.root + "/a/b"), "not a directory");
		assertThatIOException().isThrownBy(() -> create("a/b"))
			.withMessageContaining("/a/b' exists on the server but is not a directory");
	}

	@Test
	void aDirectoryThatAlreadyExistsIsKept() throws IOException {
		Files.createDirectories(server.file(this.root + "/a/b"));
		Files.writeString(server.file(this.root + "/a/b/file"), "kept");
		create("a/b");
		assertThat(server.file(this.root + "/a/b/file")).hasContent("kept");
	}

	private void create(String relative) throws IOException {
		String dir = this.root + "/" + relative;
		this.requests.retrying("create directory", dir, (sftp) -> {
			this.directories.create(sftp, dir);
			return null;
		});
	}

	private void removeOnServer(String relative) throws IOException {
		Files.delete(server.file(this.root + "/" + relative));
	}

}
