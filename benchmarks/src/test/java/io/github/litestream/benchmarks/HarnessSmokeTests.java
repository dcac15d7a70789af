package io.github.litestream.benchmarks;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Proves the harness still runs end to end: the restore scenario in quick mode with a tiny
 * database, writing its Markdown and CSV report. No timing is asserted.
 */
class HarnessSmokeTests {

	@TempDir
	Path dir;

	@Test
	void quickRestoreScenarioWritesAReport() throws Exception {
		Assumptions.assumeTrue(Lz4Cli.available(), "the lz4 command-line tool is needed for the raw baseline");
		Path out = this.dir.resolve("report");
		HarnessOptions options = HarnessOptions.parse("--quick", "--out", out.toString(), "--scenarios", "restore",
				"--restore-mib", "2", "--restore-segments", "5");

		Report report = Harness.run(options, "smoke test");

		assertThat(report.failures()).isZero();
		assertThat(out.resolve("work")).doesNotExist();
		assertThat(Files.readString(out.resolve("report.csv"))).startsWith("scenario,variant,metric,value,unit\n")
			.contains("restore,replica,WAL segments,")
			.contains("restore,\"restore from file, parallelism 16\",median throughput (same bytes as baseline),")
			.contains("restore,\"restore from S3Proxy, parallelism 8\",median throughput (same bytes as baseline),");
		assertThat(Files.readString(out.resolve("report.md"))).contains("## Verdicts")
			.contains("throughput / raw lz4 -d, file, parallelism 1")
			.contains("throughput / raw lz4 -d (no target)")
			.contains("![restore](restore.png)");
		BufferedImage chart = ImageIO.read(out.resolve("restore.png").toFile());
		assertThat(chart.getWidth()).isPositive();
		assertThat(chart.getHeight()).isPositive();
	}

	@Test
	void restoreAgeScenarioComparesThePlainAndEncryptedReplicaOnly() throws Exception {
		Path out = this.dir.resolve("report");
		HarnessOptions options = HarnessOptions.parse("--quick", "--out", out.toString(), "--scenarios",
				"restore-age", "--restore-mib", "2", "--restore-segments", "5");

		Report report = Harness.run(options, "smoke test");

		assertThat(report.failures()).isZero();
		assertThat(Files.readString(out.resolve("report.csv")))
			.contains("restore,\"restore from file, age, parallelism 8\",median throughput (paired with plain),")
			.contains("restore,\"restore from file, age, parallelism 8\",process CPU per restore (median),")
			.doesNotContain("S3Proxy");
		assertThat(Files.readString(out.resolve("report.md")))
			.contains("throughput with age / without, file, age, parallelism 8");
	}

	@Test
	void writeScenarioReportsCommitLatencyPercentilesPerVariant() throws Exception {
		Path out = this.dir.resolve("report");
		HarnessOptions options = HarnessOptions.parse("--quick", "--out", out.toString(), "--scenarios", "write",
				"--write-seconds", "0.5");

		Report report = Harness.run(options, "smoke test");

		assertThat(report.failures()).isZero();
		String csv = Files.readString(out.resolve("report.csv"));
		for (String variant : new String[] { "none", "file", "s3", "sqlite-default" }) {
			for (String metric : new String[] { "p50 tx", "p99 tx", "p99.9 tx", "p99.99 tx", "slowest tx" }) {
				assertThat(csv).contains("write," + variant + " (median)," + metric + ",");
			}
		}
		assertThat(csv).contains("write,file / sqlite-default,p99.9 tx,").contains("write,s3 / sqlite-default,slowest tx,");
		assertThat(Files.readString(out.resolve("report.md"))).contains("p99.9 tx with file replica / sqlite-default")
			.contains("tx/s with s3 replica / sqlite-default");
	}

	@Test
	void coldRestoreScenarioRestoresInFreshJvmsFromAFileReplicaAndAnS3ProxyOfItsOwn() throws Exception {
		Assumptions.assumeTrue(Lz4Cli.available(), "the lz4 command-line tool is needed for the raw baseline");
		Path out = this.dir.resolve("report");
		HarnessOptions options = HarnessOptions.parse("--quick", "--out", out.toString(), "--scenarios",
				"cold-restore", "--restore-mib", "2", "--restore-segments", "5");

		Report report = Harness.run(options, "smoke test");

		// A child that failed or restored nothing fails the scenario, which the report counts.
		assertThat(report.failures()).isZero();
		assertThat(Files.readString(out.resolve("report.csv")))
			.contains("cold-restore,file,process start to restored and checked (median),")
			.contains("cold-restore,S3Proxy,process start to restored and checked (median),")
			.contains("cold-restore,\"S3Proxy, parallelism 2\",restore inside the child (median),")
			.contains("cold-restore,\"file, SQLite library pre-extracted\",restore inside the child (median),")
			.contains("cold-restore,replica,WAL indexes,");
		String markdown = Files.readString(out.resolve("report.md"));
		if (LitestreamCli.find().isPresent()) {
			// The stock tool restored the replicas the engine wrote, in the same rotation.
			assertThat(Files.readString(out.resolve("report.csv")))
				.contains("cold-restore,\"Litestream CLI, file\",process start to restored and checked (median),")
				.contains("cold-restore,\"Litestream CLI, S3Proxy\",process start to restored and checked (median),");
			assertThat(markdown).contains("fresh-JVM restore-on-boot, S3Proxy, vs Litestream v0.3.");
		}
		else {
			assertThat(markdown)
				.contains("fresh-JVM restore-on-boot, S3Proxy, vs Litestream's in issue 22 (other run), 3.810 s");
		}
	}

	@Test
	void unknownScenarioIsRejectedWithTheChoices() {
		org.assertj.core.api.Assertions
			.assertThatIllegalArgumentException()
			.isThrownBy(() -> HarnessOptions.parse("--scenarios", "writes"))
			.withMessageContaining("Unknown scenario 'writes'")
			.withMessageContaining("restore");
	}

}
