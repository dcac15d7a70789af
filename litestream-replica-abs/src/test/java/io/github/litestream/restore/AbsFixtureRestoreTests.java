package io.github.litestream.restore;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import com.azure.core.util.BinaryData;
import com.azure.storage.blob.BlobContainerClient;
import io.github.litestream.replica.ReplicaOperationListener;
import io.github.litestream.replica.abs.AbsClientFactory;
import io.github.litestream.replica.abs.AbsReplicaClient;
import io.github.litestream.replica.abs.AbsReplicaConfig;
import io.github.litestream.replica.abs.AzuriteServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The replica the stock Litestream v0.3.14 CLI wrote, as blobs in Azurite under a path (the
 * tree its {@code abs} replica writes is the file replica's tree under {@code path}), restores
 * through {@link AbsReplicaClient} at every index to the rows Litestream's own restore gives.
 */
class AbsFixtureRestoreTests {

	@RegisterExtension
	static final AzuriteServer azurite = new AzuriteServer();

	@TempDir
	Path temp;

	@Test
	void restoresLitestreamsReplicaAtEveryIndex() throws Exception {
		String container = azurite.createContainer();
		BlobContainerClient blobs = azurite.container(container);
		Path replica = Fixture.copyReplica(this.temp.resolve("replica"));
		try (Stream<Path> tree = Files.walk(replica)) {
			for (Path file : tree.filter(Files::isRegularFile).toList()) {
				String name = "db/" + replica.relativize(file).toString().replace('\\', '/');
				blobs.getBlobClient(name).upload(BinaryData.fromFile(file), true);
			}
		}
		AbsReplicaConfig config = azurite.config(container, "db").build();
		AbsReplicaClient client = new AbsReplicaClient(AbsClientFactory.withDefaults().create(config), config,
				ReplicaOperationListener.NONE);

		List<Fixture.Expected> expected = Fixture.expected();
		assertThat(expected).hasSizeGreaterThan(3);
		for (Fixture.Expected row : expected) {
			Path output = this.temp.resolve("restored-" + row + ".db");
			RestoreOptions options = RestoreOptions.latest(output);
			if (row.index() != null) {
				options = options.withIndex(row.index());
			}
			RestoreResult result = new Restorer().restore(client, options);
			assertThat(result.plan().generation()).isEqualTo(Fixture.GENERATION);
			assertThat(RestoredDatabase.summary(output, row.index())).as("restore at %s", row).isEqualTo(row);
			assertThat(RestoredDatabase.integrityCheckWithCli(output)).isEqualTo("ok");
		}
	}

}
