package io.github.litestream;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import io.github.litestream.Litestream.ReplicationTarget;
import io.github.litestream.db.DatabaseOptions;
import io.github.litestream.db.ReplicatedDatabase;
import io.github.litestream.replica.ReplicaOptions;
import io.github.litestream.replica.file.FileReplicaClient;
import io.github.litestream.restore.RestoreOptions;
import io.github.litestream.restore.Restorer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Directory mode with symbolic links, real ones: a link to a database file is replicated under
 * the link's name wherever its target lies, a linked subdirectory is followed only when
 * recursive and never round a loop, two names of one file replicate it once, and a skipped link
 * is logged once, naming it and why.
 */
class SymlinkedTenantsTests {

	private static final Duration FAST = Duration.ofMillis(50);

	@TempDir
	Path dir;

	private Path tenants;

	private Path volume;

	private Path replica;

	@RegisterExtension
	final RunningEngine running = new RunningEngine();

	@BeforeEach
	void start() throws Exception {
		this.tenants = Files.createDirectories(this.dir.resolve("tenants"));
		this.volume = Files.createDirectories(this.dir.resolve("volume"));
		this.replica = this.dir.resolve("replica");
	}

	@Test
	void aLinkToADatabaseIsReplicatedUnderTheLinksNameWhereverItsTargetLies() throws Exception {
		AppDatabase outside = this.running.app(this.volume.resolve("acme.db"));
		Files.createSymbolicLink(this.tenants.resolve("acme.db"), this.volume.resolve("acme.db"));
		AppDatabase inside = this.running.app(Files.createDirectories(this.tenants.resolve("data")).resolve("b.db"));
		Files.createSymbolicLink(this.tenants.resolve("b.db"), Path.of("data/b.db"));
		try (DirectoryReplication directory = directory(false)) {
			directory.scan();
			assertThat(directory.databases()).containsExactly("acme.db", "b.db");
			outside.insert(12);
			inside.insert(7);
			awaitCaughtUp();
			assertThat(restore("acme.db")).isEqualTo(outside.summary());
			assertThat(restore("b.db")).isEqualTo(inside.summary());
		}
	}

	@Test
	void aDirectoryThatIsItselfALinkIsScanned() throws Exception {
		AppDatabase app = this.running.app(this.volume.resolve("acme.db"));
		app.insert(6);
		Path linked = Files.createSymbolicLink(this.dir.resolve("linked-tenants"), this.volume);
		try (DirectoryReplication directory = new DirectoryReplication(this.running.registry(), linked, "*.db", false,
				DatabaseOptions.defaults(linked.resolve("template.db")).withMonitorInterval(FAST),
				(relative) -> List.of(new ReplicationTarget(new FileReplicaClient(this.replica.resolve(relative)),
						ReplicaOptions.defaults("file").withSyncInterval(FAST))))) {
			directory.scan();
			assertThat(directory.databases()).containsExactly("acme.db");
			awaitCaughtUp();
			assertThat(restore("acme.db")).isEqualTo(app.summary());
		}
	}

	@Test
	void twoNamesOfOneDatabaseReplicateItOnceUnderTheNameThatIsNoLink() throws Exception {
		AppDatabase app = this.running.app(this.tenants.resolve("acme.db"));
		app.insert(3);
		Files.createSymbolicLink(this.tenants.resolve("a-alias.db"), Path.of("acme.db"));
		try (CapturedStderr stderr = new CapturedStderr(); DirectoryReplication directory = directory(false)) {
			directory.scan();
			directory.scan();
			assertThat(directory.databases()).containsExactly("acme.db");
			assertThat(stderr.lines()).filteredOn((line) -> line.contains("a-alias.db")).singleElement()
				.asString()
				.contains("WARN")
				.contains("acme.db");
		}
	}

	@Test
	void aLinkedSubdirectoryIsFollowedOnlyWhenRecursiveAndNeverRoundALoop() throws Exception {
		AppDatabase top = this.running.app(this.tenants.resolve("a.db"));
		AppDatabase nested = this.running.app(Files.createDirectories(this.volume.resolve("eu")).resolve("c.db"));
		Files.createSymbolicLink(this.tenants.resolve("eu"), this.volume.resolve("eu"));
		Files.createSymbolicLink(this.volume.resolve("eu/back"), this.tenants);
		try (Litestream notStarted = new Litestream();
				DirectoryReplication directory = directory(new DatabaseRegistry(notStarted), false)) {
			directory.scan();
			assertThat(directory.databases()).containsExactly("a.db");
		}
		try (CapturedStderr stderr = new CapturedStderr(); DirectoryReplication directory = directory(true)) {
			directory.scan();
			directory.scan();
			assertThat(directory.databases()).containsExactly("a.db", "eu/c.db");
			assertThat(stderr.lines()).filteredOn((line) -> line.contains("eu/back")).singleElement()
				.asString()
				.contains("WARN")
				.contains("loop");
			top.insert(4);
			nested.insert(9);
			awaitCaughtUp();
			assertThat(restore("eu/c.db")).isEqualTo(nested.summary());
		}
	}

	@Test
	void aDanglingLinkIsLoggedOnceAndReplicatedOnceItsTargetExists() throws Exception {
		Files.createSymbolicLink(this.tenants.resolve("later.db"), this.volume.resolve("later.db"));
		try (CapturedStderr stderr = new CapturedStderr(); DirectoryReplication directory = directory(false)) {
			directory.scan();
			directory.scan();
			assertThat(directory.databases()).isEmpty();
			assertThat(stderr.lines()).filteredOn((line) -> line.contains("later.db")).singleElement()
				.asString()
				.contains("WARN")
				.contains("does not exist");
			AppDatabase app = this.running.app(this.volume.resolve("later.db"));
			app.insert(2);
			directory.scan();
			assertThat(directory.databases()).containsExactly("later.db");
		}
	}

	@Test
	void deletingALinkedTenantDeletesTheDatabaseItReachesAndTheLink() throws Exception {
		AppDatabase app = this.running.app(this.volume.resolve("acme.db"));
		app.insert(5);
		Path link = Files.createSymbolicLink(this.tenants.resolve("acme.db"), this.volume.resolve("acme.db"));
		AppDatabase.Summary written;
		try (DirectoryReplication directory = directory(false)) {
			ReplicatedDatabase database = directory.add(link);
			this.running.awaitCaughtUp(database);
			written = app.summary();
			app.close();
			this.running.apps().remove(app);
			directory.delete(link, Duration.ofSeconds(30), DatabaseRegistry.Backups.KEEP);
		}
		assertThat(this.volume.resolve("acme.db")).doesNotExist();
		assertThat(this.volume.resolve("acme.db-wal")).doesNotExist();
		assertThat(Files.exists(link, LinkOption.NOFOLLOW_LINKS)).isFalse();
		assertThat(restore("acme.db")).as("its backups stay").isEqualTo(written);
	}

	private DirectoryReplication directory(boolean recursive) {
		return directory(this.running.registry(), recursive);
	}

	private DirectoryReplication directory(DatabaseRegistry registry, boolean recursive) {
		return new DirectoryReplication(registry, this.tenants, "*.db", recursive,
				DatabaseOptions.defaults(this.tenants.resolve("template.db")).withMonitorInterval(FAST),
				(relative) -> List.of(new ReplicationTarget(new FileReplicaClient(this.replica.resolve(relative)),
						ReplicaOptions.defaults("file").withSyncInterval(FAST))));
	}

	private AppDatabase.Summary restore(String relative) throws Exception {
		Path out = this.dir.resolve("restored/" + relative);
		Files.createDirectories(out.getParent());
		new Restorer().restore(new FileReplicaClient(this.replica.resolve(relative)), RestoreOptions.latest(out));
		return AppDatabase.summarize(out);
	}

	private void awaitCaughtUp() {
		for (ReplicatedDatabase database : this.running.engine().databases()) {
			this.running.awaitCaughtUp(database);
		}
	}

}
