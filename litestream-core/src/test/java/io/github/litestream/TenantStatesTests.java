package io.github.litestream;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.github.litestream.TenantStates.Stopping;
import io.github.litestream.db.DatabaseOptions;
import io.github.litestream.db.ReplicatedDatabase;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * {@link TenantStates}: a scan takes out the files gone or replaced but not one being deleted,
 * and none is registered again while it stops or is deleted; a refused file is tried again only
 * once its size changed; a delete hides a file from {@code add} until it ends, and a failed one
 * leaves it registered.
 */
class TenantStatesTests {

	private final TenantStates tenants = new TenantStates();

	private final Path a = Path.of("/data/a.db");

	private final Path b = Path.of("/data/b.db");

	private final Path c = Path.of("/data/c.db");

	@Test
	void filesGoneOrReplacedAreTakenOutAndNotNewUntilTheyStopped() {
		ReplicatedDatabase databaseOfA = register("a.db", this.a);
		register("b.db", this.b);
		register("c.db", this.c);
		List<Stopping> gone = this.tenants.takeOutGone(Map.of("a.db", this.a, "c.db", this.c), this.c::equals);
		assertThat(gone).containsExactlyInAnyOrder(new Stopping("b.db", this.b, "the file is gone"),
				new Stopping("c.db", this.c, "the file was replaced by a new one"));
		assertThat(this.tenants.databases()).containsExactly("a.db");
		assertThat(this.tenants.ready(this.a)).isSameAs(databaseOfA);
		assertThat(this.tenants.ready(this.b)).isNull();
		assertThat(this.tenants.inHand(this.b)).isTrue();
		assertThat(this.tenants.isNew("b.db", this.b)).isFalse();
		assertThat(this.tenants.isNew("a.db", this.a)).isFalse();
		this.tenants.stopped(gone);
		assertThat(this.tenants.inHand(this.b)).isFalse();
		assertThat(this.tenants.isNew("b.db", this.b)).isTrue();
		assertThat(this.tenants.isNew("c.db", this.c)).isTrue();
	}

	@Test
	void aFileBeingRegisteredIsInHandAndNotNewUntilItsRegistrationEnded() {
		this.tenants.beginRegistering(this.a);
		assertThat(this.tenants.inHand(this.a)).isTrue();
		assertThat(this.tenants.isNew("a.db", this.a)).as("a scan passes it over").isFalse();
		assertThat(this.tenants.inHand(this.b)).isFalse();
		assertThatIllegalStateException().isThrownBy(() -> this.tenants.beginRegistering(this.a));
		this.tenants.endRegistering(this.a);
		assertThat(this.tenants.inHand(this.a)).isFalse();
		assertThat(this.tenants.isNew("a.db", this.a)).as("its registration failed").isTrue();
	}

	@Test
	void aRefusedFileIsTriedAgainOnlyOnceItsSizeChanged() {
		assertThat(this.tenants.worthTrying(this.a, 0)).as("an empty file").isFalse();
		assertThat(this.tenants.worthTrying(this.a, 4096)).isTrue();
		this.tenants.failed(this.a, 4096);
		assertThat(this.tenants.worthTrying(this.a, 4096)).isFalse();
		assertThat(this.tenants.worthTrying(this.a, 8192)).isTrue();
		register("a.db", this.a);
		assertThat(this.tenants.worthTrying(this.a, 4096)).as("registered since").isTrue();
	}

	@Test
	void aFileBeingDeletedIsNeitherHandedOutNorTakenOutNorNew() {
		ReplicatedDatabase databaseOfA = register("a.db", this.a);
		assertThat(this.tenants.beginDelete(this.a)).isTrue();
		assertThat(this.tenants.beginDelete(this.a)).as("a second delete").isFalse();
		assertThat(this.tenants.deleting(this.a)).isTrue();
		assertThat(this.tenants.ready(this.a)).isNull();
		assertThat(this.tenants.takeOutGone(Map.of(), (file) -> true)).isEmpty();
		assertThat(this.tenants.isNew("a.db", this.a)).isFalse();
		// Its unregistration failed early: it is still replicated, and handed out again.
		this.tenants.endDelete("a.db", this.a, Optional.of(databaseOfA));
		assertThat(this.tenants.deleting(this.a)).isFalse();
		assertThat(this.tenants.ready(this.a)).isSameAs(databaseOfA);
		assertThat(this.tenants.databases()).containsExactly("a.db");
	}

	@Test
	void aDeletedFileIsDetachedSoThatAScanMayRegisterItAgain() {
		register("a.db", this.a);
		this.tenants.beginDelete(this.a);
		this.tenants.endDelete("a.db", this.a, Optional.empty());
		assertThat(this.tenants.databases()).isEmpty();
		assertThat(this.tenants.ready(this.a)).isNull();
		assertThat(this.tenants.isNew("a.db", this.a)).isTrue();
	}

	/** Registers a file with a database that is not open: only its identity counts here. */
	private ReplicatedDatabase register(String relative, Path file) {
		ReplicatedDatabase database = new ReplicatedDatabase(DatabaseOptions.defaults(file));
		this.tenants.registered(relative, file, database);
		return database;
	}

}
