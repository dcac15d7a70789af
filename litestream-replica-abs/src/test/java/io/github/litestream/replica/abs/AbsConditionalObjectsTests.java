package io.github.litestream.replica.abs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import com.azure.core.util.BinaryData;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.models.BlobItem;
import io.github.litestream.replica.ConditionalObjects;
import io.github.litestream.replica.ConditionalObjectsContractTest;
import io.github.litestream.replica.ConditionalWriteConflictException;
import io.github.litestream.replica.RecordingOperationListener;
import io.github.litestream.replica.ReplicaClient;
import io.github.litestream.replica.ReplicaOperation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * {@link AbsConditionalObjects} against Azurite: the contract every backend shares (racing
 * writers, exactly one wins), and where the objects live and how a writer that goes around
 * them is caught.
 */
class AbsConditionalObjectsTests extends ConditionalObjectsContractTest {

	@RegisterExtension
	static final AzuriteServer azurite = new AzuriteServer();

	static final String PATH = "backups/app";

	final RecordingOperationListener operations = new RecordingOperationListener();

	BlobContainerClient container;

	String containerName;

	@Override
	protected ReplicaClient createClient() {
		this.containerName = azurite.createContainer();
		AbsReplicaConfig config = azurite.config(this.containerName, PATH).build();
		this.container = AbsClientFactory.withDefaults().create(config);
		return new AbsReplicaClient(this.container, config, this.operations);
	}

	@Test
	void objectsAreBlobsBesideGenerationsUnderThePath() throws IOException {
		objects().create("lease.json", bytes("one"));

		assertThat(this.container.listBlobs()).extracting(BlobItem::getName).containsExactly(PATH + "/lease.json");
		assertThat(this.container.getBlobClient(PATH + "/lease.json").downloadContent().toString()).isEqualTo("one");
	}

	@Test
	void objectsSitAtTheContainerRootWhenThePathIsEmpty() throws IOException {
		AbsReplicaConfig atRoot = azurite.config(this.containerName, "/").build();
		try (AbsReplicaClient client = new AbsReplicaClient(this.container, atRoot, this.operations)) {
			client.conditionalObjects().orElseThrow().create("lease.json", bytes("one"));
		}
		assertThat(this.container.listBlobs()).extracting(BlobItem::getName).containsExactly("lease.json");
	}

	@Test
	void aWriteAroundTheConditionsMakesTheNextReplaceFail() throws IOException {
		String version = objects().create("lease.json", bytes("mine"));
		this.container.getBlobClient(PATH + "/lease.json").upload(BinaryData.fromString("stolen"), true);

		assertThatExceptionOfType(ConditionalWriteConflictException.class)
			.isThrownBy(() -> objects().replace("lease.json", bytes("renewed"), version))
			.withMessageContaining("blob '" + PATH + "/lease.json'")
			.withMessageContaining(this.containerName);
		assertThat(objects().read("lease.json").orElseThrow().content()).isEqualTo(bytes("stolen"));
	}

	@Test
	void everyRequestIsCounted() throws IOException {
		String version = objects().create("lease.json", bytes("one"));
		objects().replace("lease.json", bytes("two"), version);
		objects().read("lease.json");

		assertThat(this.operations.count(ReplicaOperation.PUT)).isEqualTo(2);
		assertThat(this.operations.count(ReplicaOperation.GET)).isEqualTo(1);
	}

	@Test
	void aMissingContainerIsReportedAsSuchNotAsAConflict() throws IOException {
		AbsReplicaConfig missing = azurite.config("no-such-container", PATH).build();
		try (AbsReplicaClient client = new AbsReplicaClient(AbsClientFactory.withDefaults().create(missing), missing,
				this.operations)) {
			ConditionalObjects objects = client.conditionalObjects().orElseThrow();
			assertThatExceptionOfType(AbsReplicaException.class).isThrownBy(() -> objects.create("lease.json", bytes("one")))
				.satisfies((ex) -> assertThat(ex.reason()).isEqualTo(AbsReplicaException.Reason.NO_SUCH_CONTAINER));
		}
	}

	@Test
	void namesWithASlashAreRefused() {
		assertThatIllegalArgumentException().isThrownBy(() -> objects().create("generations/lease.json", bytes("x")));
	}

	private ConditionalObjects objects() {
		return this.client.conditionalObjects().orElseThrow();
	}

	private static byte[] bytes(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}

}
