package io.github.litestream.boot.autoconfigure;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class SqliteJdbcUrlTests {

	private static final Path CWD = Path.of("").toAbsolutePath();

	@Test
	void relativePathIsResolvedAgainstTheWorkingDirectory() {
		assertThat(SqliteJdbcUrl.parse("jdbc:sqlite:data/app.db").path()).isEqualTo(CWD.resolve("data/app.db"));
		assertThat(SqliteJdbcUrl.parse("jdbc:sqlite:./data/../app.db").path()).isEqualTo(CWD.resolve("app.db"));
	}

	@Test
	void absolutePathAndQueryParameters() {
		SqliteJdbcUrl url = SqliteJdbcUrl.parse("jdbc:sqlite:/var/lib/app.db?journal_mode=WAL&foreign_keys=on");
		assertThat(url.path()).isEqualTo(Path.of("/var/lib/app.db"));
		assertThat(url.inMemory()).isFalse();
	}

	@Test
	void fileUris() {
		assertThat(SqliteJdbcUrl.parse("jdbc:sqlite:file:/var/lib/app.db?cache=shared").path())
			.isEqualTo(Path.of("/var/lib/app.db"));
		assertThat(SqliteJdbcUrl.parse("jdbc:sqlite:file:///var/lib/my%20app.db").path())
			.isEqualTo(Path.of("/var/lib/my app.db"));
		assertThat(SqliteJdbcUrl.parse("jdbc:sqlite:file://localhost/var/lib/app.db").path())
			.isEqualTo(Path.of("/var/lib/app.db"));
		assertThat(SqliteJdbcUrl.parse("jdbc:sqlite:file:data/app.db").path()).isEqualTo(CWD.resolve("data/app.db"));
	}

	@Test
	void inMemoryForms() {
		for (String url : new String[] { "jdbc:sqlite:", "jdbc:sqlite::memory:", "jdbc:sqlite:file::memory:",
				"jdbc:sqlite:file::memory:?cache=shared", "jdbc:sqlite:file:memdb1?mode=memory&cache=shared" }) {
			assertThat(SqliteJdbcUrl.parse(url).inMemory()).as(url).isTrue();
			assertThat(SqliteJdbcUrl.parse(url).path()).as(url).isNull();
		}
	}

	@Test
	void rejectsResourcesRemoteHostsAndOtherDatabases() {
		assertThatIllegalArgumentException().isThrownBy(() -> SqliteJdbcUrl.parse("jdbc:sqlite::resource:db.sqlite"));
		assertThatIllegalArgumentException().isThrownBy(() -> SqliteJdbcUrl.parse("jdbc:sqlite:file://host/a.db"));
		assertThatIllegalArgumentException().isThrownBy(() -> SqliteJdbcUrl.parse("jdbc:h2:mem:x"));
		assertThat(SqliteJdbcUrl.isSqlite("jdbc:postgresql://x/y")).isFalse();
		assertThat(SqliteJdbcUrl.isSqlite("JDBC:SQLITE:a.db")).isTrue();
	}

	@Test
	void canonicalPathResolvesSymbolicLinksOfExistingDirectories(@TempDir Path dir) throws Exception {
		Path real = Files.createDirectories(dir.resolve("real"));
		Path link = Files.createSymbolicLink(dir.resolve("link"), real);
		assertThat(SqliteJdbcUrl.canonical(link.resolve("app.db")))
			.isEqualTo(SqliteJdbcUrl.canonical(real.resolve("app.db")));
		assertThat(SqliteJdbcUrl.canonical(link.resolve("missing/dir/app.db")))
			.isEqualTo(real.toRealPath().resolve("missing/dir/app.db"));
	}

}
