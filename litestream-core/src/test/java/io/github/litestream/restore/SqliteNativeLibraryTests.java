package io.github.litestream.restore;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.github.litestream.ChildJvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * sqlite-jdbc's native library extracted ahead of the driver's first connection, in fresh JVMs
 * (the properties it sets are the JVM's, and the driver loads once per JVM).
 */
class SqliteNativeLibraryTests {

	@TempDir
	Path temp;

	@Test
	void theDriverLoadsTheLibraryExtractedAheadWhichIsGoneAfterTheExit() throws Exception {
		List<String> lines = runChild(List.of("-Djava.io.tmpdir=" + this.temp));

		Path dir = Path.of(property(lines, "path"));
		assertThat(property(lines, "pathAfterLoad")).as("cleared for another copy of the driver").isEqualTo("null");
		assertThat(property(lines, "nameAfterLoad")).isEqualTo("null");
		assertThat(dir.getParent()).isEqualTo(this.temp);
		assertThat(dir.getFileName().toString()).startsWith("litestream-sqlite-");
		assertThat(property(lines, "mapped")).as("the library SQLite runs from")
			.isEqualTo(dir.resolve(property(lines, "name")).toString());
		assertThat(property(lines, "version")).matches("3\\.\\d+\\.\\d+");
		assertThat(dir).as("removed when the JVM exits").doesNotExist();
	}

	@Test
	void theApplicationsOwnPropertiesAreLeftAsTheyAre() throws Exception {
		Path missing = this.temp.resolve("no-such-dir");
		List<String> lines = runChild(List.of("-Djava.io.tmpdir=" + this.temp, "-Dorg.sqlite.lib.path=" + missing));

		assertThat(property(lines, "path")).isEqualTo(missing.toString());
		assertThat(property(lines, "name")).isEqualTo("null");
		assertThat(property(lines, "pathAfterLoad")).isEqualTo(missing.toString());
		assertThat(property(lines, "version")).as("the driver fell back to its own extraction").matches("3\\.\\d+\\.\\d+");
		try (var files = Files.list(this.temp)) {
			assertThat(files.filter((file) -> file.getFileName().toString().startsWith("litestream-sqlite-")))
				.as("nothing extracted ahead")
				.isEmpty();
		}
	}

	private static List<String> runChild(List<String> jvmOptions) throws IOException, InterruptedException {
		// The child's java.io.tmpdir is the last one given: the test's own directory.
		Process child = ChildJvm.start(FirstConnection.class, jvmOptions);
		byte[] out = child.getInputStream().readAllBytes();
		assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
		assertThat(child.exitValue()).as(new String(out, StandardCharsets.UTF_8)).isZero();
		return new String(out, StandardCharsets.UTF_8).lines().toList();
	}

	private static String property(List<String> lines, String name) {
		return lines.stream()
			.filter((line) -> line.startsWith(name + "="))
			.map((line) -> line.substring(name.length() + 1))
			.findFirst()
			.orElseThrow(() -> new AssertionError("no " + name + " in " + lines));
	}

	/** Extracts ahead, opens the driver's first connection and clears, as the warm-up thread does. */
	static final class FirstConnection {

		public static void main(String[] args) throws Exception {
			Runnable loaded = SqliteNativeLibrary.extractAhead();
			System.out.println("path=" + System.getProperty(SqliteNativeLibrary.PATH_PROPERTY));
			System.out.println("name=" + System.getProperty(SqliteNativeLibrary.NAME_PROPERTY));
			String version;
			try (Connection connection = DriverManager.getConnection("jdbc:sqlite::memory:");
					ResultSet result = connection.createStatement().executeQuery("SELECT sqlite_version()")) {
				result.next();
				version = result.getString(1);
			}
			loaded.run();
			System.out.println("pathAfterLoad=" + System.getProperty(SqliteNativeLibrary.PATH_PROPERTY));
			System.out.println("nameAfterLoad=" + System.getProperty(SqliteNativeLibrary.NAME_PROPERTY));
			System.out.println("version=" + version);
			System.out.println("mapped=" + Files.readAllLines(Path.of("/proc/self/maps"))
				.stream()
				.filter((line) -> line.contains("sqlitejdbc"))
				.map((line) -> line.substring(line.indexOf('/')))
				.findFirst()
				.orElse("none"));
		}

	}

}
