package io.github.litestream.restore;

import java.nio.file.Path;
import java.util.List;

import io.github.litestream.replica.ReplicaClient;
import io.github.litestream.replica.ReplicaOperationListener;
import io.github.litestream.replica.sftp.SftpReplicaClient;
import io.github.litestream.replica.sftp.SftpTestServer;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The replica the stock Litestream v0.3.14 CLI wrote, put on the SFTP server as the tree its
 * {@code sftp} replica writes (the file replica's tree under {@code path}), restores over SFTP
 * at every index to the rows {@code litestream restore -index} produced.
 */
class SftpFixtureRestoreTests {

	@RegisterExtension
	static final SftpTestServer server = new SftpTestServer();

	private static String path;

	@TempDir
	Path temp;

	static List<Fixture.Expected> expected() throws Exception {
		return Fixture.expected();
	}

	@ParameterizedTest(name = "index {0}")
	@MethodSource("expected")
	void restoresEveryIndexLikeLitestream(Fixture.Expected expected) throws Exception {
		synchronized (SftpFixtureRestoreTests.class) {
			if (path == null) {
				path = server.newReplicaPath();
				Fixture.copyReplica(server.file(path));
			}
		}
		Path output = this.temp.resolve("restored.db");
		RestoreOptions options = RestoreOptions.latest(output);
		if (expected.index() != null) {
			options = options.withIndex(expected.index());
		}
		try (ReplicaClient client = SftpReplicaClient.open(server.passwordConfig(path).build(),
				ReplicaOperationListener.NONE)) {
			RestoreResult result = new Restorer().restore(client, options);
			assertThat(result.restored()).isTrue();
			assertThat(result.plan().generation()).isEqualTo(Fixture.GENERATION);
		}
		assertThat(RestoredDatabase.summary(output, expected.index())).isEqualTo(expected);
		RestoredDatabase.oneCommittedState(output);
	}

}
