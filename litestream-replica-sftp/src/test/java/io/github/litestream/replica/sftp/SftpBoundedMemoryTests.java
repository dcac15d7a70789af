package io.github.litestream.replica.sftp;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.github.litestream.ChildJvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Uploads and downloads stream: a JVM with a 32 MiB heap moves a 128 MiB snapshot to the SFTP
 * server and back, byte for byte.
 */
class SftpBoundedMemoryTests {

	@RegisterExtension
	static final SftpTestServer server = new SftpTestServer();

	@TempDir
	Path dir;

	@Test
	void aSnapshotFourTimesTheHeapGoesUpAndComesBack() throws IOException, InterruptedException {
		String path = server.newReplicaPath();
		Path stderr = this.dir.resolve("child.err");
		ProcessBuilder builder = ChildJvm
			.builder(SftpStreamingInSmallHeap.class, List.of("-Xmx32m"), server.url(path),
					server.knownHosts().toString(), "128")
			.redirectError(stderr.toFile());
		builder.environment().put("LITESTREAM_SFTP_PASSWORD", SftpTestServer.PASSWORD);
		Process child = builder.start();
		String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		assertThat(child.waitFor(5, TimeUnit.MINUTES)).isTrue();
		assertThat(child.exitValue()).as("exit value; stderr: %s", Files.readString(stderr)).isZero();
		assertThat(out).contains("ok " + (128L << 20));
		assertThat(server.file(path + "/generations/0123456789abcdef/snapshots/00000001.snapshot.lz4"))
			.hasSize(128L << 20);
	}

}
