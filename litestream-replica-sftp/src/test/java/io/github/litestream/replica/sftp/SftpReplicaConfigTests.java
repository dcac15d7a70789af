package io.github.litestream.replica.sftp;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Litestream's {@code sftp} settings: the URL form, {@code host} with an optional port, the
 * path, and the password kept out of every description.
 */
class SftpReplicaConfigTests {

	@Test
	void urlGivesUserHostPortAndAnAbsolutePath() {
		SftpReplicaConfig config = SftpReplicaConfig.builder()
			.url("sftp://backup@example.com:2222/srv/backups/app")
			.keyPath(Path.of("/home/app/.ssh/id_ed25519"))
			.build();
		assertThat(config.host()).isEqualTo("example.com");
		assertThat(config.port()).isEqualTo(2222);
		assertThat(config.user()).isEqualTo("backup");
		assertThat(config.path()).isEqualTo("/srv/backups/app");
		assertThat(config.remotePath("generations")).isEqualTo("/srv/backups/app/generations");
		assertThat(config.location()).isEqualTo("sftp://backup@example.com:2222/srv/backups/app");
	}

	@Test
	void aPasswordInTheUrlIsUsedButNeverShown() {
		SftpReplicaConfig config = SftpReplicaConfig.builder().url("sftp://backup:s%40cret@example.com/b").build();
		assertThat(config.password()).isEqualTo("s@cret");
		assertThat(config.port()).isEqualTo(22);
		assertThat(config.location()).isEqualTo("sftp://backup@example.com/b");
		assertThat(config.toString()).doesNotContain("s@cret").doesNotContain("s%40cret").contains("password=******");
		assertThat(SftpReplicaConfig.redactUrl("sftp://backup:s%40cret@example.com/b"))
			.isEqualTo("sftp://backup:******@example.com/b");
		assertThat(SftpReplicaConfig.parseUrl("sftp://backup:s%40cret@example.com/b").toString())
			.doesNotContain("cret");
	}

	@Test
	void hostTakesAnOptionalPortAsLitestreamDoes() {
		assertThat(SftpReplicaConfig.builder().host("example.com:2200").user("u").password("p").build().port())
			.isEqualTo(2200);
		assertThat(SftpReplicaConfig.builder().host("example.com").user("u").password("p").build().port()).isEqualTo(22);
		SftpReplicaConfig v6 = SftpReplicaConfig.builder().host("[::1]:2200").user("u").password("p").build();
		assertThat(v6.host()).isEqualTo("::1");
		assertThat(v6.port()).isEqualTo(2200);
		assertThat(v6.hostAndPort()).isEqualTo("[::1]:2200");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> SftpReplicaConfig.builder().host("example.com:ssh").user("u").password("p").build())
			.withMessageContaining("'host'");
	}

	@Test
	void pathsRelativeToTheLoginDirectoryStayRelative() {
		SftpReplicaConfig relative = SftpReplicaConfig.builder()
			.host("h")
			.user("u")
			.keyPath(Path.of("/k"))
			.path("backups/app/")
			.build();
		assertThat(relative.remotePath("generations")).isEqualTo("backups/app/generations");
		assertThat(relative.location()).isEqualTo("sftp://u@h/~/backups/app");
		SftpReplicaConfig home = SftpReplicaConfig.builder().host("h").user("u").password("p").build();
		assertThat(home.remotePath("generations")).isEqualTo("generations");
		SftpReplicaConfig root = SftpReplicaConfig.builder().host("h").user("u").password("p").path("/").build();
		assertThat(root.remotePath("generations")).isEqualTo("/generations");
	}

	@Test
	void missingSettingsNameTheKey() {
		assertThatIllegalArgumentException().isThrownBy(() -> SftpReplicaConfig.builder().user("u").build())
			.withMessageContaining("'host'");
		assertThatIllegalArgumentException().isThrownBy(() -> SftpReplicaConfig.builder().host("h").password("p").build())
			.withMessageContaining("'user'");
		assertThatIllegalArgumentException().isThrownBy(() -> SftpReplicaConfig.builder().host("h").user("u").build())
			.withMessageContaining("'password'")
			.withMessageContaining("'key-path'");
	}

	@Test
	void malformedUrlsAreNamedWithoutTheirPassword() {
		assertThatIllegalArgumentException().isThrownBy(() -> SftpReplicaConfig.parseUrl("s3://bucket/path"))
			.withMessageContaining("scheme must be 'sftp'");
		assertThatIllegalArgumentException().isThrownBy(() -> SftpReplicaConfig.parseUrl("sftp://u:topsecret@/path"))
			.withMessageNotContaining("topsecret")
			.withMessageContaining("sftp://user@host:port/path");
	}

}
