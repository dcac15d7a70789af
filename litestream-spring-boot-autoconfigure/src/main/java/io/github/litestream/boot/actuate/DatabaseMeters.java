package io.github.litestream.boot.actuate;

import java.io.IOException;
import java.time.Duration;

import io.github.litestream.db.CheckpointMode;
import io.github.litestream.db.DatabaseListener;
import io.github.litestream.db.ReplicatedDatabase;
import io.github.litestream.replica.Pos;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.BaseUnits;

/**
 * The meters of one database in one registry: gauges that read the database when scraped, and
 * the sync and checkpoint timers and counters its {@link DatabaseListener} events drive. Part of
 * {@link LitestreamMetrics}.
 */
final class DatabaseMeters implements DatabaseListener {

	private final MeterRegistry registry;

	private final Tags tags;

	private final Counter walBytes;

	private final Timer sync;

	private final Counter syncErrors;

	DatabaseMeters(MeterRegistry registry, ReplicatedDatabase database) {
		this.registry = registry;
		this.tags = Tags.of("db", database.path().toString());
		Gauge.builder("litestream.db.size", database, ReplicatedDatabase::size)
			.description("Size of the database file")
			.baseUnit(BaseUnits.BYTES)
			.tags(this.tags)
			.register(registry);
		Gauge.builder("litestream.wal.size", database, ReplicatedDatabase::walSize)
			.description("Size of the database's WAL file")
			.baseUnit(BaseUnits.BYTES)
			.tags(this.tags)
			.register(registry);
		Gauge.builder("litestream.shadow.wal.index", database, (db) -> LitestreamMetrics.positionPart(db.position(), Pos::index))
			.description("Index of the current shadow WAL file")
			.tags(this.tags)
			.register(registry);
		Gauge.builder("litestream.shadow.wal.size", database, (db) -> LitestreamMetrics.positionPart(db.position(), Pos::offset))
			.description("Size of the current shadow WAL file")
			.baseUnit(BaseUnits.BYTES)
			.tags(this.tags)
			.register(registry);
		Gauge.builder("litestream.shadow.wal.total.size", database, DatabaseMeters::shadowWalSize)
			.description("Shadow WAL kept on disk for replicas that have not shipped it")
			.baseUnit(BaseUnits.BYTES)
			.tags(this.tags)
			.register(registry);
		this.walBytes = Counter.builder("litestream.wal.bytes")
			.description("WAL bytes copied into the shadow WAL")
			.baseUnit(BaseUnits.BYTES)
			.tags(this.tags)
			.register(registry);
		this.sync = Timer.builder("litestream.sync")
			.description("Monitor steps copying the WAL into the shadow WAL")
			.tags(this.tags)
			.register(registry);
		this.syncErrors = Counter.builder("litestream.sync.errors")
			.description("Failed monitor steps")
			.tags(this.tags)
			.register(registry);
		LitestreamMetrics.CHECKPOINT_MODES.forEach((mode) -> {
			checkpointTimer(mode);
			checkpointErrors(mode);
			checkpointsBlocked(mode);
		});
	}

	private Timer checkpointTimer(CheckpointMode mode) {
		return Timer.builder("litestream.checkpoint")
			.description("Checkpoints run by the engine")
			.tags(this.tags.and("mode", mode.name()))
			.register(this.registry);
	}

	private Counter checkpointErrors(CheckpointMode mode) {
		return Counter.builder("litestream.checkpoint.errors")
			.description("Checkpoints that did not run")
			.tags(this.tags.and("mode", mode.name()))
			.register(this.registry);
	}

	private Counter checkpointsBlocked(CheckpointMode mode) {
		return Counter.builder("litestream.checkpoint.blocked")
			.description("Checkpoints that could not restart the WAL because a read transaction pins it")
			.tags(this.tags.and("mode", mode.name()))
			.register(this.registry);
	}

	@Override
	public void onSync(Duration duration, long bytes) {
		this.sync.record(duration);
		this.walBytes.increment(bytes);
	}

	@Override
	public void onSyncError(Exception error) {
		this.syncErrors.increment();
	}

	@Override
	public void onCheckpoint(CheckpointMode mode, Duration duration) {
		checkpointTimer(mode).record(duration);
	}

	@Override
	public void onCheckpointError(CheckpointMode mode, Exception error) {
		checkpointErrors(mode).increment();
	}

	@Override
	public void onCheckpointBlocked(CheckpointMode mode) {
		checkpointsBlocked(mode).increment();
	}

	private static double shadowWalSize(ReplicatedDatabase database) {
		try {
			return database.shadowWalSize();
		}
		catch (IOException ex) {
			return Double.NaN;
		}
	}

}
