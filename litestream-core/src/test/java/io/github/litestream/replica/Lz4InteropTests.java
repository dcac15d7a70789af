package io.github.litestream.replica;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link Lz4} against the {@code lz4} and {@code sqlite3} command-line tools, with a snapshot
 * the stock Litestream CLI wrote.
 */
class Lz4InteropTests {

	private static final String FIXTURE_SNAPSHOT = "/fixtures/litestream-v0.3.14-file-replica/replica/generations/"
			+ "d59f8534bf89705e/snapshots/0000000a.snapshot.lz4";

	@TempDir
	Path temp;

	private final Path snapshot = fixtureSnapshot();

	@Test
	void lz4CliDecompressesLitestreamSnapshotIntoAValidDatabase() throws Exception {
		Path database = this.temp.resolve("snapshot.db");
		run("lz4", "-d", "-q", this.snapshot.toString(), database.toString());
		assertThat(new String(run("sqlite3", database.toString(), "PRAGMA integrity_check")).trim()).isEqualTo("ok");
		try (InputStream in = Lz4.decompress(Files.newInputStream(this.snapshot))) {
			assertThat(in.readAllBytes()).isEqualTo(Files.readAllBytes(database));
		}
	}

	@Test
	void lz4CliDecompressesWhatWeCompressByteForByte() throws Exception {
		// Over one 4 MB block, part compressible, part random (stored raw).
		byte[] data = new byte[5 * 1024 * 1024 + 123];
		new Random(7).nextBytes(data);
		for (int i = 0; i < 2 * 1024 * 1024; i++) {
			data[i] = (byte) (i % 251);
		}
		Path compressed = this.temp.resolve("data.lz4");
		try (OutputStream out = Lz4.compress(Files.newOutputStream(compressed))) {
			out.write(data);
		}
		Path decompressed = this.temp.resolve("data");
		run("lz4", "-d", "-q", compressed.toString(), decompressed.toString());
		assertThat(Files.readAllBytes(decompressed)).isEqualTo(data);
		assertThat(Files.size(compressed)).isLessThan(data.length);
	}

	@Test
	void lz4CliDecompressesAnEmptyStream() throws Exception {
		Path compressed = this.temp.resolve("empty.lz4");
		Lz4.compress(Files.newOutputStream(compressed)).close();
		Path decompressed = this.temp.resolve("empty");
		run("lz4", "-d", "-q", compressed.toString(), decompressed.toString());
		assertThat(decompressed).isEmptyFile();
	}

	private static Path fixtureSnapshot() {
		try {
			return Path.of(Lz4InteropTests.class.getResource(FIXTURE_SNAPSHOT).toURI());
		}
		catch (URISyntaxException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static byte[] run(String... command) throws IOException, InterruptedException {
		Process process;
		try {
			process = new ProcessBuilder(List.of(command)).redirectError(ProcessBuilder.Redirect.INHERIT).start();
		}
		catch (IOException ex) {
			Assumptions.abort("The '" + command[0] + "' command-line tool is not installed: " + ex.getMessage());
			throw ex;
		}
		process.getOutputStream().close();
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		process.getInputStream().transferTo(out);
		assertThat(process.waitFor()).as("exit code of %s", List.of(command)).isZero();
		return out.toByteArray();
	}

}
