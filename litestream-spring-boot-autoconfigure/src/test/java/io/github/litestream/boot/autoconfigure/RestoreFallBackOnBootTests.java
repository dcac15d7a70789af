package io.github.litestream.boot.autoconfigure;

import java.io.IOException;
import java.nio.file.Path;

import io.github.litestream.restore.Fixture;
import io.github.litestream.restore.ReplicaDamage;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.SimpleDriverDataSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code litestream.dbs[n].restore.fall-back} on a copy of the Litestream v0.3.14 fixture
 * whose WAL index 25 is corrupt (the fixture's expected.txt: 277 rows at index 24, 301 at the
 * latest index).
 */
class RestoreFallBackOnBootTests {

	@TempDir
	Path dir;

	private Path damaged;

	private Path db;

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(LitestreamAutoConfiguration.class));

	@BeforeEach
	void damageAReplica() throws IOException {
		this.damaged = Fixture.copyReplica(this.dir.resolve("damaged"));
		ReplicaDamage.flipByte(this.damaged.resolve("generations/" + Fixture.GENERATION + "/wal/00000025_00000000.wal.lz4"));
		this.db = this.dir.resolve("data/app.db");
	}

	@Test
	void damagedReplicaFailsStartupNamingTheObjectAndTheProperty() {
		this.runner.withPropertyValues("litestream.dbs[0].path=" + this.db,
				"litestream.dbs[0].replicas[0].path=" + this.damaged)
			.run((context) -> {
				var analysis = LitestreamAutoConfigurationTests.analysis(context.getStartupFailure());
				assertThat(analysis.getDescription())
					.startsWith("could not restore " + this.db + " from replica 'file' (" + this.damaged + "): ")
					.contains("00000025_00000000.wal.lz4");
				assertThat(analysis.getAction()).contains("litestream.dbs[0].restore.fall-back=true");
				assertThat(this.db).doesNotExist();
			});
	}

	@Test
	void fallBackRestoresTheNewestIntactPoint() {
		this.runner.withPropertyValues("litestream.dbs[0].path=" + this.db,
				"litestream.dbs[0].replicas[0].path=" + this.damaged, "litestream.dbs[0].restore.fall-back=true")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(rows()).isEqualTo(277);
			});
	}

	@Test
	void fallBackPrefersAnIntactReplicaOverFallingBack() throws IOException {
		Path intact = Fixture.copyReplica(this.dir.resolve("intact"));
		this.runner.withPropertyValues("litestream.dbs[0].path=" + this.db,
				"litestream.dbs[0].replicas[0].name=damaged", "litestream.dbs[0].replicas[0].path=" + this.damaged,
				"litestream.dbs[0].replicas[1].name=intact", "litestream.dbs[0].replicas[1].path=" + intact,
				"litestream.dbs[0].restore.fall-back=true")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(rows()).isEqualTo(301);
			});
	}

	private Integer rows() {
		SimpleDriverDataSource dataSource = new SimpleDriverDataSource(new org.sqlite.JDBC(), "jdbc:sqlite:" + this.db);
		return new JdbcTemplate(dataSource).queryForObject("SELECT count(*) FROM t", Integer.class);
	}

}
