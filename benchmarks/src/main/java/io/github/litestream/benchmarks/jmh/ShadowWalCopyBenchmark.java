package io.github.litestream.benchmarks.jmh;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import io.github.litestream.benchmarks.Workload;
import io.github.litestream.db.DatabaseOptions;
import io.github.litestream.db.ReplicatedDatabase;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The shadow-WAL copy: one monitor step ({@link ReplicatedDatabase#sync()}) after the
 * application committed {@code batchKib} of new WAL in one transaction. It reads the new frames
 * from the real WAL, checks their checksum chain and appends them to the shadow WAL. Each
 * measured step copies fresh frames (the setup commits them, outside the measured time), and
 * checkpoints are off so that only the copy is measured.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 10)
@Measurement(iterations = 30)
@Fork(1)
public class ShadowWalCopyBenchmark {

	/** New WAL per step, KiB. */
	@Param({ "4096" })
	public int batchKib;

	private Path dir;

	private Workload app;

	private ReplicatedDatabase database;

	/**
	 * Creates the database and starts the engine with checkpoints out of reach.
	 * @throws Exception if SQLite or the engine fails
	 */
	@Setup(Level.Trial)
	public void open() throws Exception {
		this.dir = Files.createTempDirectory("shadowcopy");
		Path db = this.dir.resolve("app.db");
		this.app = new Workload(db);
		this.database = new ReplicatedDatabase(DatabaseOptions.defaults(db)
			.withCheckpoints(Duration.ofDays(1), Integer.MAX_VALUE - 1, Integer.MAX_VALUE));
		this.database.open();
	}

	/**
	 * Commits the next batch, which the measured step then copies.
	 * @throws Exception if SQLite fails
	 */
	@Setup(Level.Iteration)
	public void commitBatch() throws Exception {
		this.app.bulkInsert(this.batchKib * 1024L, 1000);
	}

	/**
	 * Stops the engine and deletes the files.
	 * @throws Exception if they cannot be deleted
	 */
	@TearDown(Level.Trial)
	public void close() throws Exception {
		this.database.close();
		this.app.close();
		SampleFiles.delete(this.dir);
	}

	/**
	 * One monitor step.
	 * @return the WAL bytes copied
	 * @throws IOException if the copy fails
	 */
	@Benchmark
	public long copy() throws IOException {
		return this.database.sync();
	}

}
