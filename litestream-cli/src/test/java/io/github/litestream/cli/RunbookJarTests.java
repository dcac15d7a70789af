package io.github.litestream.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Runs every {@code sh} block of docs/runbook.md exactly as written, with bash, in an
 * application directory holding the runbook's own {@code config/application.yml} and two
 * replicas the stock Litestream v0.3.14 CLI wrote, where {@code litestream-cli} is the packaged
 * jar. Each section's outcome is checked against the fixture's expected rows; a block's shown
 * output must be what it prints. A new section with commands fails until it is covered here.
 */
class RunbookJarTests {

	@TempDir
	Path app;

	private Runbook runbook;

	private Path bin;

	@BeforeEach
	void application() throws IOException, InterruptedException {
		assumeTrue(installed("sqlite3"), "the runbook's commands use the sqlite3 command-line tool (apt-get install sqlite3)");
		this.runbook = Runbook.read();
		Path config = Files.createDirectories(this.app.resolve("config")).resolve("application.yml");
		Files.writeString(config, this.runbook.only("yaml").text());
		CliFixture.copyWithTimes(this.app.resolve("backups/app"), RestoreCommandTests.BASE);
		CliFixture.copyWithTimes(this.app.resolve("offsite-disk/app"), RestoreCommandTests.BASE);
		Files.createDirectories(this.app.resolve("data"));
		this.bin = Files.createDirectories(this.app.resolve(".bin"));
		Path script = this.bin.resolve("litestream-cli");
		Files.writeString(script, "#!/bin/sh\nexec '" + Path.of(System.getProperty("java.home"), "bin", "java")
				+ "' -jar '" + CliJarTests.jar() + "' \"$@\"\n");
		Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
	}

	@Test
	void everySectionWithCommandsIsCovered() {
		assertThat(this.runbook.sectionsWithCommands()).containsExactly("Check a backup regularly", "Lost disk",
				"Bad migration", "Damaged replica", "Moving to a new host");
	}

	@Test
	void checkABackupRegularly() throws Exception {
		restoreLatestAsTheLiveDatabase();

		run("Check a backup regularly");

		String command = this.runbook.blocks("Check a backup regularly").get(0).text().strip();
		assertThat(this.runbook.only("crontab").text()).as("cron runs the command shown")
			.contains(command.replace("litestream-cli ", "java -jar litestream-cli.jar "));
	}

	@Test
	void lostDisk() throws Exception {
		Files.delete(this.app.resolve("data"));

		run("Lost disk");

		assertThat(CliFixture.summary(this.app.resolve("data/app.db"))).isEqualTo(CliFixture.expected(null));
	}

	@Test
	void badMigration() throws Exception {
		restoreLatestAsTheLiveDatabase();
		try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + this.app.resolve("data/app.db"));
				Statement statement = connection.createStatement()) {
			statement.execute("DELETE FROM t WHERE seq % 2 = 0"); // the "migration"
		}

		run("Bad migration");

		assertThat(CliFixture.summary(this.app.resolve("data/app.db"))).isEqualTo(CliFixture.expected(0x1eL));
		assertThat(this.app.resolve("data/broken/app.db")).exists();
		assertThat(this.app.resolve("data/app-before.db")).doesNotExist();
	}

	@Test
	void damagedReplica() throws Exception {
		Path snapshot = CliFixture.generationDirectory(this.app.resolve("backups/app"))
			.resolve("snapshots/00000023.snapshot.lz4");
		Files.write(snapshot, new byte[] { 4, 34, 77, 24 }, StandardOpenOption.TRUNCATE_EXISTING);

		String output = run("Damaged replica");

		assertThat(output).contains("verify exit code 3");
		assertThat(CliFixture.summary(this.app.resolve("data/app-offsite.db"))).isEqualTo(CliFixture.expected(null));
		assertThat(CliFixture.summary(this.app.resolve("data/app-before-damage.db")))
			.isEqualTo(CliFixture.expected(0x22L));
	}

	@Test
	void movingToANewHost() throws Exception {
		run("Moving to a new host");

		assertThat(CliFixture.summary(this.app.resolve("data/app.db"))).isEqualTo(CliFixture.expected(null));
		String json = Files.readString(this.app.resolve("wal.json"));
		assertThat(json.lines().filter((line) -> line.contains("\"replica\": \"backup\""))).hasSize(96);
	}

	/**
	 * Runs a section's command blocks in order, each with {@code bash -e}; a plain block right
	 * after one is the output it must print ({@code ...} ends a line's fixed part).
	 * @return everything the commands printed
	 */
	private String run(String section) throws IOException, InterruptedException {
		StringBuilder all = new StringBuilder();
		List<Runbook.Block> blocks = this.runbook.blocks(section);
		for (int i = 0; i < blocks.size(); i++) {
			if (!blocks.get(i).isCommands()) {
				continue;
			}
			String output = bash(blocks.get(i).text());
			all.append(output);
			if (i + 1 < blocks.size() && blocks.get(i + 1).isOutput()) {
				assertShows(output, blocks.get(i + 1).text());
			}
		}
		return all.toString();
	}

	private String bash(String commands) throws IOException, InterruptedException {
		ProcessBuilder builder = new ProcessBuilder("bash", "-e", "-c", commands).directory(this.app.toFile())
			.redirectErrorStream(true);
		builder.environment().put("PATH", this.bin + ":" + System.getenv("PATH"));
		builder.environment().put("OFFSITE_DIR", this.app.resolve("offsite-disk").toString());
		Process process = builder.start();
		process.getOutputStream().close();
		String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		assertThat(process.waitFor(5, TimeUnit.MINUTES)).isTrue();
		assertThat(process.exitValue()).as("exit code of\n%s\noutput:\n%s", commands, output).isZero();
		return output;
	}

	private static void assertShows(String output, String shown) {
		List<String> actual = new ArrayList<>(output.lines().filter((line) -> !line.startsWith("dry run:")).toList());
		List<String> expected = shown.lines().toList();
		assertThat(actual).as("output shown in runbook.md:\n%s\nprinted:\n%s", shown, output).hasSameSizeAs(expected);
		for (int i = 0; i < expected.size(); i++) {
			Matcher prefix = Pattern.compile("^(.*?)\\s*\\.\\.\\.$").matcher(expected.get(i));
			if (prefix.matches()) {
				assertThat(actual.get(i)).startsWith(prefix.group(1));
			}
			else {
				assertThat(actual.get(i)).isEqualTo(expected.get(i));
			}
		}
	}

	private static boolean installed(String tool) throws InterruptedException {
		try {
			return new ProcessBuilder("bash", "-c", "command -v " + tool).start().waitFor() == 0;
		}
		catch (IOException ex) {
			return false;
		}
	}

	private void restoreLatestAsTheLiveDatabase() {
		Cli.Result result = new Cli().run("restore", "-o", this.app.resolve("data/app.db").toString(),
				"file://" + this.app.resolve("backups/app"));
		assertThat(result.exitCode()).as(result.toString()).isZero();
	}

}
