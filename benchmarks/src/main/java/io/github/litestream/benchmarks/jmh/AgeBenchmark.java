package io.github.litestream.benchmarks.jmh;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.github.litestream.age.Age;
import io.github.litestream.age.AgeIdentity;
import io.github.litestream.age.AgeKeyring;
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
 * What age encryption adds to reading replica objects, next to the plain LZ4 decoding in the
 * same run: a 64 MiB database as an encrypted LZ4 snapshot (decrypted alone, on the reading
 * thread or with the shared decryption threads, and decrypted then decoded as a restore
 * reads it), and an encrypted WAL segment of 288 KiB of WAL (compressed, about the size of the
 * restore scenario's segments), where opening the file (one X25519 key agreement, HKDF, the
 * header's MAC) weighs about as much as its payload. MiB/s: the decoded size divided by the
 * time per operation.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgs = "-Xmx1g")
public class AgeBenchmark {

	static final long SNAPSHOT_BYTES = 64L << 20;

	/** Half the WAL of a segment; LZ4 about halves it, as in the restore scenario. */
	static final int SEGMENT_BYTES = 144 * 1024;

	private final byte[] buffer = new byte[64 * 1024];

	private AgeKeyring keyring;

	private byte[] snapshotLz4;

	private byte[] snapshotAge;

	private byte[] segmentLz4;

	private byte[] segmentAge;

	/**
	 * Produces the database with SQLite, compresses and encrypts it, and a WAL segment.
	 * @throws Exception if SQLite fails
	 */
	@Setup
	public void prepare() throws Exception {
		AgeIdentity identity = AgeIdentity.generate();
		this.keyring = new AgeKeyring(List.of(identity));
		Path dir = Files.createTempDirectory("agebench");
		byte[] snapshot;
		byte[] segment;
		try {
			snapshot = Files.readAllBytes(SampleFiles.database(dir, SNAPSHOT_BYTES));
			byte[] wal = Files.readAllBytes(SampleFiles.wal(dir, 2L * SEGMENT_BYTES + 32));
			segment = java.util.Arrays.copyOfRange(wal, 32, 32 + 2 * SEGMENT_BYTES);
		}
		finally {
			SampleFiles.delete(dir);
		}
		this.snapshotLz4 = readAll(Lz4.compressing(new ByteArrayInputStream(snapshot)));
		this.snapshotAge = readAll(
				Age.encrypting(new ByteArrayInputStream(this.snapshotLz4), List.of(identity.recipient())));
		this.segmentLz4 = readAll(Lz4.compressing(new ByteArrayInputStream(segment)));
		this.segmentAge = readAll(
				Age.encrypting(new ByteArrayInputStream(this.segmentLz4), List.of(identity.recipient())));
	}

	/**
	 * The baseline: decodes the plain snapshot.
	 * @return bytes read
	 * @throws IOException never (in memory)
	 */
	@Benchmark
	public long snapshotDecode() throws IOException {
		return drain(Lz4.decompress(new ByteArrayInputStream(this.snapshotLz4)));
	}

	/**
	 * Decrypts the snapshot on this thread, without decoding: ChaCha20-Poly1305's throughput.
	 * @return bytes read
	 * @throws IOException never (in memory)
	 */
	@Benchmark
	public long snapshotDecrypt() throws IOException {
		return drain(this.keyring.decrypting(new ByteArrayInputStream(this.snapshotAge)));
	}

	/**
	 * Decrypts the snapshot with the shared decryption threads helping.
	 * @return bytes read
	 * @throws IOException never (in memory)
	 */
	@Benchmark
	public long snapshotDecryptInParallel() throws IOException {
		return drain(this.keyring.decryptingInParallel(new ByteArrayInputStream(this.snapshotAge)));
	}

	/**
	 * Decrypts and decodes the snapshot on this thread.
	 * @return bytes read
	 * @throws IOException never (in memory)
	 */
	@Benchmark
	public long snapshotDecryptAndDecode() throws IOException {
		return drain(Lz4.decompress(this.keyring.decrypting(new ByteArrayInputStream(this.snapshotAge))));
	}

	/**
	 * Decrypts and decodes the snapshot as a restore reads it: the decryption threads
	 * decrypt ahead while this thread decodes.
	 * @return bytes read
	 * @throws IOException never (in memory)
	 */
	@Benchmark
	public long snapshotDecryptInParallelAndDecode() throws IOException {
		return drain(Lz4.decompress(this.keyring.decryptingInParallel(new ByteArrayInputStream(this.snapshotAge))));
	}

	/**
	 * The baseline: decodes the plain WAL segment.
	 * @return bytes read
	 * @throws IOException never (in memory)
	 */
	@Benchmark
	public long segmentDecode() throws IOException {
		return drain(Lz4.decompress(new ByteArrayInputStream(this.segmentLz4)));
	}

	/**
	 * Opens, decrypts and decodes the encrypted WAL segment.
	 * @return bytes read
	 * @throws IOException never (in memory)
	 */
	@Benchmark
	public long segmentDecryptAndDecode() throws IOException {
		return drain(Lz4.decompress(this.keyring.decrypting(new ByteArrayInputStream(this.segmentAge))));
	}

	/**
	 * Only opens the encrypted WAL segment (header, X25519, HKDF, MAC), reading no payload.
	 * @return the file's length
	 * @throws IOException never (in memory)
	 */
	@Benchmark
	public int segmentOpenOnly() throws IOException {
		try (InputStream in = this.keyring.decrypting(new ByteArrayInputStream(this.segmentAge))) {
			return this.segmentAge.length;
		}
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

	private static byte[] readAll(InputStream in) throws IOException {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		try (in) {
			in.transferTo(out);
		}
		return out.toByteArray();
	}

}
