package io.github.litestream.replica;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import io.github.litestream.age.AgeException;
import io.github.litestream.age.AgeFileSize;
import io.github.litestream.age.AgeIdentity;
import io.github.litestream.replica.file.FileReplicaClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * {@link AgeReplicaClient} over a directory against the replica contract (listings report the
 * encrypted objects' exact sizes), plus what encryption adds: objects on disk are age files
 * for every recipient, and a key problem or an altered object is an error naming the object.
 */
class AgeReplicaClientTests extends ReplicaClientContractTest {

	@TempDir
	Path temp;

	private final AgeIdentity identity = AgeIdentity.generate();

	private final AgeIdentity rotatedOut = AgeIdentity.generate();

	private Path root;

	@Override
	protected ReplicaClient createClient() {
		this.root = this.temp.resolve("replica");
		return new AgeReplicaClient(new FileReplicaClient(this.root), List.of(this.identity.recipient()),
				List.of(this.rotatedOut, this.identity));
	}

	@Override
	protected void putRawObject(String key, byte[] content) throws IOException {
		Path path = this.root.resolve(key);
		Files.createDirectories(path.getParent());
		Files.write(path, content);
	}

	@Override
	protected int manySegmentCount() {
		return 250;
	}

	@Override
	protected long storedSize(int written) {
		return AgeFileSize.of(written, 1);
	}

	@Test
	void storesAgeFilesThatEveryRecipientCanRead() throws IOException {
		AgeIdentity second = AgeIdentity.generate();
		ReplicaClient both = new AgeReplicaClient(new FileReplicaClient(this.root),
				List.of(this.identity.recipient(), second.recipient()), List.of());
		byte[] content = randomBytes(200_000);
		both.writeWalSegment(new Pos(GEN_A, 3, 0x1038), new ByteArrayInputStream(content));
		Path object = this.root.resolve("generations/" + GEN_A + "/wal/00000003_00001038.wal.lz4");
		String header = new String(Files.readAllBytes(object), 0, 200, StandardCharsets.ISO_8859_1);
		assertThat(header).startsWith("age-encryption.org/v1\n-> X25519 ");
		assertThat(header.split("-> X25519 ", -1)).hasSize(3);
		for (AgeIdentity reader : List.of(this.identity, second)) {
			ReplicaClient client = new AgeReplicaClient(new FileReplicaClient(this.root), List.of(reader.recipient()),
					List.of(reader));
			assertThat(read(client.openWalSegment(new Pos(GEN_A, 3, 0x1038)))).isEqualTo(content);
		}
	}

	@Test
	void noMatchingIdentityNamesTheObjectAndTheRecipientsTried() throws IOException {
		this.client.writeSnapshot(GEN_A, 0x1a, new ByteArrayInputStream(randomBytes(10)));
		AgeIdentity stranger = AgeIdentity.generate();
		ReplicaClient wrongKeys = new AgeReplicaClient(new FileReplicaClient(this.root),
				List.of(this.identity.recipient()), List.of(stranger));
		assertThatExceptionOfType(AgeException.class).isThrownBy(() -> wrongKeys.openSnapshot(GEN_A, 0x1a))
			.satisfies((ex) -> assertThat(ex.kind()).isEqualTo(AgeException.Kind.NO_MATCH))
			.withMessageContaining("generations/" + GEN_A + "/snapshots/0000001a.snapshot.lz4")
			.withMessageContaining(this.root.toString())
			.withMessageContaining("No age identity matched")
			.withMessageContaining(stranger.recipient().toString());
		ReplicaClient recipientsOnly = new AgeReplicaClient(new FileReplicaClient(this.root),
				List.of(this.identity.recipient()), List.of());
		assertThatExceptionOfType(AgeException.class).isThrownBy(() -> recipientsOnly.openSnapshot(GEN_A, 0x1a))
			.withMessageContaining("none is configured");
	}

	@Test
	void identitiesAloneReadButNeverWriteAnObjectUnencrypted() throws IOException {
		byte[] content = randomBytes(1_000);
		this.client.writeSnapshot(GEN_A, 0x1b, new ByteArrayInputStream(content));
		ReplicaClient readOnly = new AgeReplicaClient(new FileReplicaClient(this.root), List.of(),
				List.of(this.identity));
		assertThat(read(readOnly.openSnapshot(GEN_A, 0x1b))).isEqualTo(content);
		assertThatExceptionOfType(IOException.class)
			.isThrownBy(() -> readOnly.writeWalSegment(new Pos(GEN_A, 0x1b, 0), new ByteArrayInputStream(content)))
			.withMessageContaining("no recipient");
		assertThat(this.root.resolve("generations/" + GEN_A + "/wal")).doesNotExist();
	}

	@Test
	void anAlteredObjectFailsNamingIt() throws IOException {
		Pos pos = new Pos(GEN_A, 1, 0);
		this.client.writeWalSegment(pos, new ByteArrayInputStream(randomBytes(150_000)));
		Path object = this.root.resolve("generations/" + GEN_A + "/wal/00000001_00000000.wal.lz4");
		byte[] bytes = Files.readAllBytes(object);
		bytes[bytes.length - 70_000] ^= 0x40;
		Files.write(object, bytes);
		// Held in memory, a segment is decrypted as it is opened; a streamed one as it is read.
		assertThatExceptionOfType(AgeException.class).isThrownBy(() -> {
			try (InputStream in = this.client.openWalSegment(pos)) {
				in.readAllBytes();
			}
		})
			.satisfies((ex) -> assertThat(ex.kind()).isEqualTo(AgeException.Kind.PAYLOAD))
			.withMessageContaining("00000001_00000000.wal.lz4");
	}

	@Test
	void aSegmentHeldInMemoryIsDecryptedWholeAndHandedOverWhole() throws IOException {
		Pos pos = new Pos(GEN_A, 1, 0);
		byte[] content = randomBytes(150_000);
		this.client.writeWalSegment(pos, new ByteArrayInputStream(content));
		try (InputStream in = this.client.openWalSegment(pos)) {
			assertThat(in).isInstanceOf(ObjectInMemory.class);
			assertThat(in.readAllBytes()).isEqualTo(content);
		}
	}

	@Test
	void objectsWrittenBeforeEncryptionWasTurnedOnAreReadAsTheyAre() throws IOException {
		byte[] content = randomBytes(100_000);
		new FileReplicaClient(this.root).writeSnapshot(GEN_A, 1, Lz4.compressing(new ByteArrayInputStream(content)));
		this.client.writeSnapshot(GEN_A, 2, Lz4.compressing(new ByteArrayInputStream(content)));
		for (long index : List.of(1L, 2L)) {
			try (InputStream in = Lz4.decompress(this.client.openSnapshot(GEN_A, index))) {
				assertThat(in.readAllBytes()).isEqualTo(content);
			}
		}
		assertThat(new String(Files.readAllBytes(this.root.resolve("generations/" + GEN_A + "/snapshots/00000002.snapshot.lz4")),
				0, 21, StandardCharsets.US_ASCII)).isEqualTo("age-encryption.org/v1");
	}

	@Test
	void readingAnEncryptedReplicaWithoutKeysSaysItIsEncrypted() throws IOException {
		this.client.writeWalSegment(new Pos(GEN_A, 1, 0), Lz4.compressing(new ByteArrayInputStream(randomBytes(10))));
		FileReplicaClient plain = new FileReplicaClient(this.root);
		assertThatExceptionOfType(AgeException.class)
			.isThrownBy(() -> Lz4.decompress(plain.openWalSegment(new Pos(GEN_A, 1, 0))))
			.withMessageContaining("encrypted with age");
	}

}
