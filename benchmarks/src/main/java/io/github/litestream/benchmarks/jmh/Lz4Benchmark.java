package io.github.litestream.benchmarks.jmh;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import io.github.litestream.replica.Lz4;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * LZ4 frames as the replica writes and reads them, on real SQLite bytes held in memory: a
 * 1 MiB WAL segment (encode with {@link Lz4#compress}, decode with {@link Lz4#decompress}) and
 * a 64 MiB database streamed as a snapshot (encode with {@link Lz4#compressing}, decode with
 * {@link Lz4#decompress}). Divide the sizes by the time per operation for MiB/s.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgs = "-Xmx1g")
public class Lz4Benchmark {

	static final int SEGMENT_BYTES = 1 << 20;

	static final long SNAPSHOT_BYTES = 64L << 20;

	private final byte[] buffer = new byte[64 * 1024];

	private byte[] segment;

	private byte[] segmentLz4;

	private byte[] snapshot;

	private byte[] snapshotLz4;

	/**
	 * Produces the WAL and database with SQLite and compresses them once for the decoders.
	 * @throws Exception if SQLite fails
	 */
	@Setup
	public void prepare() throws Exception {
		Path dir = Files.createTempDirectory("lz4bench");
		try {
			byte[] wal = Files.readAllBytes(SampleFiles.wal(dir, SEGMENT_BYTES + 32));
			this.segment = java.util.Arrays.copyOfRange(wal, 32, 32 + SEGMENT_BYTES);
			this.snapshot = Files.readAllBytes(SampleFiles.database(dir, SNAPSHOT_BYTES));
		}
		finally {
			SampleFiles.delete(dir);
		}
		this.segmentLz4 = encodeSegment().toByteArray();
		ByteArrayOutputStream out = new ByteArrayOutputStream(this.snapshot.length);
		try (InputStream in = Lz4.compressing(new ByteArrayInputStream(this.snapshot))) {
			in.transferTo(out);
		}
		this.snapshotLz4 = out.toByteArray();
	}

	/**
	 * Compresses a WAL segment.
	 * @return the frame
	 * @throws IOException never (in memory)
	 */
	@Benchmark
	public ByteArrayOutputStream encodeSegment() throws IOException {
		ByteArrayOutputStream out = new ByteArrayOutputStream(SEGMENT_BYTES);
		try (OutputStream lz4 = Lz4.compress(out)) {
			lz4.write(this.segment);
		}
		return out;
	}

	/**
	 * Decompresses a WAL segment.
	 * @return bytes read
	 * @throws IOException never (in memory)
	 */
	@Benchmark
	public long decodeSegment() throws IOException {
		return drain(Lz4.decompress(new ByteArrayInputStream(this.segmentLz4)));
	}

	/**
	 * Streams a database through the snapshot encoder.
	 * @return compressed bytes read
	 * @throws IOException never (in memory)
	 */
	@Benchmark
	public long encodeSnapshot() throws IOException {
		return drain(Lz4.compressing(new ByteArrayInputStream(this.snapshot)));
	}

	/**
	 * Decompresses a snapshot.
	 * @return bytes read
	 * @throws IOException never (in memory)
	 */
	@Benchmark
	public long decodeSnapshot() throws IOException {
		return drain(Lz4.decompress(new ByteArrayInputStream(this.snapshotLz4)));
	}

	private long drain(InputStream in) throws IOException {
		long total = 0;
		try (in) {
			int n;
			while ((n = in.read(this.buffer)) > 0) {
				total += n;
			}
		}
		return total;
	}

}
