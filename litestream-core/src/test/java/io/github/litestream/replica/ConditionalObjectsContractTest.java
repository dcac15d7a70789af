package io.github.litestream.replica;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.github.litestream.replica.ConditionalObjects.VersionedObject;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The behaviour every backend's {@link ConditionalObjects} must share: of two writers racing
 * from the same version, exactly one wins, and a loser changes nothing. A backend's test
 * extends this class and supplies a client on a fresh, empty replica.
 */
public abstract class ConditionalObjectsContractTest {

	private static final String NAME = "lease.json";

	private static final int RACERS = 8;

	protected ReplicaClient client;

	private ConditionalObjects objects;

	/**
	 * Creates a client on a fresh, empty replica.
	 * @return the client
	 * @throws Exception if the backend cannot be prepared
	 */
	protected abstract ReplicaClient createClient() throws Exception;

	/**
	 * Why this store's conditional writes are not atomic (checked, then written), so that two
	 * racing writers may both win; the race tests are then skipped with this reason. A backend
	 * is only fit for a lease on stores that check atomically.
	 * @return the reason, or {@code null} (the default) when the store checks atomically
	 */
	protected String nonAtomicConditions() {
		return null;
	}

	@BeforeEach
	void createObjects() throws Exception {
		this.client = createClient();
		this.objects = this.client.conditionalObjects()
			.orElseThrow(() -> new AssertionError(this.client.type() + " has no conditional writes"));
	}

	@AfterEach
	void closeClient() throws IOException {
		if (this.client != null) {
			this.client.close();
		}
	}

	@Test
	void missingObjectReadsAsEmpty() throws IOException {
		assertThat(this.objects.read(NAME)).isEmpty();
	}

	@Test
	void createdObjectReadsBackWithItsVersion() throws IOException {
		String version = this.objects.create(NAME, bytes("one"));
		VersionedObject read = this.objects.read(NAME).orElseThrow();
		assertThat(read.content()).isEqualTo(bytes("one"));
		assertThat(read.version()).isEqualTo(version);
	}

	@Test
	void createFailsWhenTheObjectExistsAndKeepsIt() throws IOException {
		this.objects.create(NAME, bytes("one"));
		assertThatExceptionOfType(ConditionalWriteConflictException.class)
			.isThrownBy(() -> this.objects.create(NAME, bytes("two")))
			.withMessageContaining(NAME);
		assertThat(this.objects.read(NAME).orElseThrow().content()).isEqualTo(bytes("one"));
	}

	@Test
	void replaceWithTheCurrentVersionWritesANewVersion() throws IOException {
		String first = this.objects.create(NAME, bytes("one"));
		String second = this.objects.replace(NAME, bytes("two"), first);
		assertThat(second).isNotEqualTo(first);
		VersionedObject read = this.objects.read(NAME).orElseThrow();
		assertThat(read.content()).isEqualTo(bytes("two"));
		assertThat(read.version()).isEqualTo(second);
	}

	@Test
	void replaceWithAStaleVersionFailsAndKeepsTheObject() throws IOException {
		String first = this.objects.create(NAME, bytes("one"));
		this.objects.replace(NAME, bytes("two"), first);
		assertThatExceptionOfType(ConditionalWriteConflictException.class)
			.isThrownBy(() -> this.objects.replace(NAME, bytes("three"), first))
			.withMessageContaining(NAME);
		assertThat(this.objects.read(NAME).orElseThrow().content()).isEqualTo(bytes("two"));
	}

	@Test
	void replacingAMissingObjectFails() throws IOException {
		String version = this.objects.create("other.json", bytes("one"));
		assertThatExceptionOfType(ConditionalWriteConflictException.class)
			.isThrownBy(() -> this.objects.replace(NAME, bytes("two"), version));
		assertThat(this.objects.read(NAME)).isEmpty();
	}

	@Test
	void rewritingTheSameContentStillChangesTheVersion() throws IOException {
		String first = this.objects.create(NAME, bytes("same"));
		String second = this.objects.replace(NAME, bytes("same"), first);
		assertThatExceptionOfType(ConditionalWriteConflictException.class)
			.isThrownBy(() -> this.objects.replace(NAME, bytes("same"), first));
		assertThat(this.objects.read(NAME).orElseThrow().version()).isEqualTo(second);
	}

	@Test
	void objectsDoNotShowAsGenerations() throws IOException {
		this.objects.create(NAME, bytes("one"));
		assertThat(this.client.generations()).isEmpty();
	}

	@Test
	void exactlyOneOfRacingCreatesWins() throws Exception {
		assumeTrue(nonAtomicConditions() == null, this::nonAtomicConditions);
		List<Optional<String>> outcomes = race((i) -> () -> attempt(() -> this.objects.create(NAME, bytes("racer " + i))));
		assertExactlyOneWinnerWhoseContentIsStored(outcomes);
	}

	@Test
	void exactlyOneOfRacingReplacesFromOneVersionWins() throws Exception {
		assumeTrue(nonAtomicConditions() == null, this::nonAtomicConditions);
		String version = this.objects.create(NAME, bytes("start"));
		List<Optional<String>> outcomes = race(
				(i) -> () -> attempt(() -> this.objects.replace(NAME, bytes("racer " + i), version)));
		assertExactlyOneWinnerWhoseContentIsStored(outcomes);
	}

	private void assertExactlyOneWinnerWhoseContentIsStored(List<Optional<String>> outcomes) throws IOException {
		List<Integer> winners = new ArrayList<>();
		for (int i = 0; i < outcomes.size(); i++) {
			if (outcomes.get(i).isPresent()) {
				winners.add(i);
			}
		}
		assertThat(winners).hasSize(1);
		int winner = winners.get(0);
		VersionedObject stored = this.objects.read(NAME).orElseThrow();
		assertThat(stored.content()).isEqualTo(bytes("racer " + winner));
		assertThat(stored.version()).isEqualTo(outcomes.get(winner).orElseThrow());
	}

	private static List<Optional<String>> race(RacerFactory racers) throws Exception {
		ExecutorService pool = Executors.newFixedThreadPool(RACERS);
		try {
			CountDownLatch start = new CountDownLatch(1);
			List<Future<Optional<String>>> futures = new ArrayList<>();
			for (int i = 0; i < RACERS; i++) {
				Callable<Optional<String>> racer = racers.racer(i);
				futures.add(pool.submit(() -> {
					start.await();
					return racer.call();
				}));
			}
			start.countDown();
			List<Optional<String>> outcomes = new ArrayList<>();
			for (Future<Optional<String>> future : futures) {
				outcomes.add(future.get());
			}
			return outcomes;
		}
		finally {
			pool.shutdownNow();
		}
	}

	private static Optional<String> attempt(IoSupplier write) throws IOException {
		try {
			return Optional.of(write.get());
		}
		catch (ConditionalWriteConflictException ex) {
			return Optional.empty();
		}
	}

	private static byte[] bytes(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}

	private interface RacerFactory {

		Callable<Optional<String>> racer(int index);

	}

	private interface IoSupplier {

		String get() throws IOException;

	}

}
