package io.github.litestream;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import io.github.litestream.Litestream.ReplicationTarget;
import io.github.litestream.db.DatabaseOptions;
import io.github.litestream.db.ReplicatedDatabase;
import io.github.litestream.replica.ReplicaOptions;
import io.github.litestream.replica.file.FileReplicaClient;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * Two paths of one real SQLite file (a symbolic link and its target, a path through a linked
 * directory) are one database: a second registration under the other path is refused, naming
 * both, and {@link DirectoryReplication#add} of the other name returns the registered one.
 */
class SameFileRegistrationTests {

	private static final Duration FAST = Duration.ofMillis(50);

	@TempDir
	Path dir;

	private Path volume;

	@RegisterExtension
	final RunningEngine running = new RunningEngine();

	@BeforeEach
	void createVolume() throws Exception {
		this.volume = Files.createDirectories(this.dir.resolve("volume"));
	}

	@Test
	void registryRefusesALinkToARegisteredFile() throws Exception {
		Path real = this.volume.resolve("app.db");
		this.running.app(real).insert(2);
		Path link = Files.createSymbolicLink(this.dir.resolve("app.db"), real);
		DatabaseRegistry registry = this.running.registry();
		registry.register(options(real), targets("one"));
		assertThatIllegalStateException().isThrownBy(() -> registry.register(options(link), targets("two")))
			.withMessageContaining(link.toString())
			.withMessageContaining(real.toRealPath().toString())
			.withMessageContaining("register the file once");
		assertThat(this.running.engine().databases()).extracting(ReplicatedDatabase::path).containsExactly(real);
	}

	@Test
	void engineRefusesTheTargetOfARegisteredLinkThroughALinkedDirectory() throws Exception {
		Path real = this.volume.resolve("app.db");
		this.running.app(real).insert(1);
		Path linkedDirectory = Files.createSymbolicLink(this.dir.resolve("data"), this.volume);
		try (Litestream engine = new Litestream()) {
			engine.addDatabase(options(linkedDirectory.resolve("app.db")), targets("one"));
			assertThatIllegalStateException().isThrownBy(() -> engine.addDatabase(options(real), targets("two")))
				.withMessageContaining(linkedDirectory.resolve("app.db").toString())
				.withMessageContaining(real.toString());
			assertThat(engine.databases()).hasSize(1);
		}
	}

	@Test
	void aMissingFileIsReservedByTheFileItsLinkWillReach() throws Exception {
		Path real = this.volume.resolve("new.db");
		Path link = Files.createSymbolicLink(this.dir.resolve("new.db"), real);
		DatabaseRegistry registry = this.running.registry();
		registry.register(options(link), targets("one"));
		assertThatIllegalStateException().isThrownBy(() -> registry.register(options(real), targets("two")))
			.withMessageContaining(link.toString());
	}

	@Test
	void theFileIsFreeOnceItsOtherNameIsUnregistered() throws Exception {
		Path real = this.volume.resolve("app.db");
		this.running.app(real).insert(1);
		Path link = Files.createSymbolicLink(this.dir.resolve("app.db"), real);
		DatabaseRegistry registry = this.running.registry();
		registry.register(options(real), targets("one"));
		registry.unregister(real, Duration.ofSeconds(10), DatabaseRegistry.Backups.KEEP);
		assertThat(registry.register(options(link), targets("one")).path()).isEqualTo(link);
	}

	@Test
	void directoryAddOfALinkToARegisteredTenantReturnsItsRegistration() throws Exception {
		Path tenants = Files.createDirectories(this.dir.resolve("tenants"));
		this.running.app(tenants.resolve("acme.db")).insert(3);
		Files.createSymbolicLink(tenants.resolve("alias.db"), Path.of("acme.db"));
		try (DirectoryReplication directory = new DirectoryReplication(this.running.registry(), tenants, "*.db",
				false, DatabaseOptions.defaults(tenants.resolve("template.db")).withMonitorInterval(FAST),
				(relative) -> targets(relative))) {
			ReplicatedDatabase acme = directory.add(tenants.resolve("acme.db"));
			assertThat(directory.add(tenants.resolve("alias.db"))).isSameAs(acme);
			assertThat(this.running.engine().databases()).containsExactly(acme);
		}
	}

	private static DatabaseOptions options(Path path) {
		return DatabaseOptions.defaults(path).withMonitorInterval(FAST);
	}

	private List<ReplicationTarget> targets(String name) {
		return List.of(new ReplicationTarget(new FileReplicaClient(this.dir.resolve("replica/" + name)),
				ReplicaOptions.defaults("file").withSyncInterval(FAST)));
	}

}
