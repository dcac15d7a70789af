package io.github.litestream.benchmarks.jmh;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import io.github.litestream.sqlite.WalHeader;
import io.github.litestream.sqlite.WalScanner;
import io.github.litestream.sqlite.WalScanner.WalScan;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
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
 * {@link WalScanner#scan} over a whole WAL written by SQLite (single-row transactions, 4 KiB
 * pages), from the page cache: the cost of validating what the monitor copies.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class WalScanBenchmark {

	/** Least WAL size in KiB. */
	@Param({ "4096" })
	public int walKib;

	private Path dir;

	private FileChannel wal;

	private WalHeader header;

	/**
	 * Writes the WAL with SQLite.
	 * @throws Exception if SQLite fails
	 */
	@Setup
	public void writeWal() throws Exception {
		this.dir = Files.createTempDirectory("walscan");
		this.wal = FileChannel.open(SampleFiles.wal(this.dir, this.walKib * 1024L));
		this.header = WalScanner.readHeader(this.wal);
	}

	/**
	 * Closes and deletes the WAL.
	 * @throws IOException if it cannot be deleted
	 */
	@TearDown
	public void delete() throws IOException {
		this.wal.close();
		SampleFiles.delete(this.dir);
	}

	/**
	 * Scans the whole WAL.
	 * @return where its committed content ends
	 * @throws IOException if it cannot be read
	 */
	@Benchmark
	public WalScan scan() throws IOException {
		return WalScanner.scan(this.wal, this.header, WalHeader.SIZE, this.header.checksum());
	}

}
