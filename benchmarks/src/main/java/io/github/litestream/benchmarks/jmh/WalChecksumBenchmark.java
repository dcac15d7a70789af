package io.github.litestream.benchmarks.jmh;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import io.github.litestream.sqlite.WalChecksum;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * The WAL frame checksum, which the engine computes for every frame it copies: one 4 KiB page
 * plus the 8 checksummed header bytes, in both byte orders.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class WalChecksumBenchmark {

	private static final int PAGE_SIZE = 4096;

	@Param({ "false", "true" })
	public boolean bigEndian;

	private final byte[] frame = new byte[24 + PAGE_SIZE];

	/** Fills the frame with random bytes. */
	@Setup
	public void fill() {
		ThreadLocalRandom.current().nextBytes(this.frame);
	}

	/**
	 * One frame's checksum.
	 * @return the checksum (consumed by JMH)
	 */
	@Benchmark
	public WalChecksum ofFrame() {
		return WalChecksum.ofFrame(this.bigEndian, WalChecksum.ZERO, this.frame, 0, PAGE_SIZE);
	}

}
