package io.github.litestream.replica.file;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import io.github.litestream.replica.ConditionalObjects;
import io.github.litestream.replica.ConditionalObjectsContractTest;
import io.github.litestream.replica.ConditionalWriteConflictException;
import io.github.litestream.replica.ReplicaClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The file replica's conditional objects against the shared contract, plus what only numbered
 * files have: old versions are pruned, and a stale writer cannot win by re-linking a pruned
 * number.
 */
class FileConditionalObjectsTests extends ConditionalObjectsContractTest {

	@TempDir
	Path temp;

	@Override
	protected ReplicaClient createClient() {
		return new FileReplicaClient(this.temp.resolve("replica"));
	}

	private ConditionalObjects objects() {
		return this.client.conditionalObjects().orElseThrow();
	}

	@Test
	void keepsOnlyTheNewestVersionsAndNoTemporaryFiles() throws IOException {
		String version = objects().create("lease.json", bytes("0"));
		for (int i = 1; i <= 10; i++) {
			version = objects().replace("lease.json", bytes(Integer.toString(i)), version);
		}
		assertThat(names()).containsExactlyInAnyOrder("lease.json.9", "lease.json.10", "lease.json.11");
		assertThat(objects().read("lease.json").orElseThrow().content()).isEqualTo(bytes("10"));
	}

	@Test
	void aStaleWriterLosesEvenWhenItsNextNumberWasPruned() throws IOException {
		String stale = objects().create("lease.json", bytes("0"));
		String version = stale;
		for (int i = 1; i <= 5; i++) {
			version = objects().replace("lease.json", bytes(Integer.toString(i)), version);
		}
		// Version 2 is pruned: recreate version 1 as if the stale writer's read were still current.
		Files.write(this.temp.resolve("replica/lease.json.1"), bytes("0"));
		assertThatExceptionOfType(ConditionalWriteConflictException.class)
			.isThrownBy(() -> objects().replace("lease.json", bytes("stale"), stale));
		assertThat(objects().read("lease.json").orElseThrow().content()).isEqualTo(bytes("5"));
		assertThat(names()).doesNotContain("lease.json.2");
	}

	@Test
	void namesOutsideTheRootAreRejected() {
		assertThatExceptionOfType(IllegalArgumentException.class)
			.isThrownBy(() -> objects().create("../lease.json", bytes("x")));
	}

	private List<String> names() throws IOException {
		try (Stream<Path> files = Files.list(this.temp.resolve("replica"))) {
			return files.map((file) -> file.getFileName().toString()).toList();
		}
	}

	private static byte[] bytes(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}

}
