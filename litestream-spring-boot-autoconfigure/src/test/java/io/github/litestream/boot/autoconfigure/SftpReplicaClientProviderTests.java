package io.github.litestream.boot.autoconfigure;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.github.litestream.replica.ReplicaClient;
import io.github.litestream.replica.ReplicaOperationListener;
import io.github.litestream.replica.ReplicaOptions;
import io.github.litestream.replica.sftp.SftpReplicaConfig;
import io.github.litestream.replica.sftp.SftpTestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The SFTP provider binds Litestream's {@code sftp} keys and url as Litestream does (a key wins
 * over the same part of the url), adds the host key settings, names the property to fix, and
 * never shows the password.
 */
class SftpReplicaClientProviderTests {

	private static final String PREFIX = "litestream.dbs[0].replicas[0]";

	private static final String HOST_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl";

	private final SftpReplicaClientProvider provider = new SftpReplicaClientProvider();

	@RegisterExtension
	static final SftpTestServer server = new SftpTestServer();

	@Test
	void replicasThatDifferOnlyInTheirPathShareOneConnection() throws Exception {
		String root = server.newReplicaPath();
		int before = server.connections();
		try {
			for (String tenant : List.of("a.db", "b.db", "eu/c.db")) {
				SftpReplicaConfig config = server.passwordConfig(root + "/" + tenant).build();
				try (ReplicaClient client = this.provider.create(
						new ReplicaSettings(PREFIX, "sftp", ReplicaOptions.defaults("sftp"), config),
						ReplicaOperationListener.NONE)) {
					client.writeSnapshot("0123456789abcdef", 1, new ByteArrayInputStream(new byte[] { 7 }));
				}
				assertThat(server.file(root + "/" + tenant + "/generations/0123456789abcdef/snapshots/00000001.snapshot.lz4"))
					.hasBinaryContent(new byte[] { 7 });
			}
			assertThat(server.connections() - before).isEqualTo(1);
		}
		finally {
			this.provider.destroy();
		}
	}

	@Test
	void urlGivesHostPortUserPasswordAndPath() {
		SftpReplicaConfig config = configure(URI.create("sftp://backup:pa%3Ass@example.com:2222/srv/app"), null,
				Map.of());
		assertThat(config.host()).isEqualTo("example.com");
		assertThat(config.port()).isEqualTo(2222);
		assertThat(config.user()).isEqualTo("backup");
		assertThat(config.password()).isEqualTo("pa:ss");
		assertThat(config.path()).isEqualTo("/srv/app");
		assertThat(config.hostKeys().knownHosts())
			.isEqualTo(Path.of(System.getProperty("user.home"), ".ssh", "known_hosts"));
		assertThat(config.hostKeys().skip()).isFalse();
		assertThat(config.toString()).doesNotContain("pa:ss");
	}

	@Test
	void keysWinOverTheUrlsParts() {
		SftpReplicaConfig config = configure(URI.create("sftp://backup:old@example.com/srv/app"), null,
				Map.of("user", "other", "password", "new-secret"));
		assertThat(config.user()).isEqualTo("other");
		assertThat(config.password()).isEqualTo("new-secret");
	}

	@Test
	void litestreamKeysWithHostKeySettings() {
		SftpReplicaConfig config = configure(null, "backups/app",
				Map.of("host", "example.com:2200", "user", "u", "key-path", "~/.ssh/id_ed25519", "host-key", HOST_KEY,
						"known-hosts-path", "/etc/ssh/ssh_known_hosts"));
		assertThat(config.port()).isEqualTo(2200);
		assertThat(config.path()).isEqualTo("backups/app");
		assertThat(config.keyPath()).isEqualTo(Path.of(System.getProperty("user.home"), ".ssh", "id_ed25519"));
		assertThat(config.hostKeys().pinnedKey()).isEqualTo(HOST_KEY);
		assertThat(config.hostKeys().knownHosts()).isEqualTo(Path.of("/etc/ssh/ssh_known_hosts"));
		assertThat(configure(null, null, Map.of("host", "h", "user", "u", "password", "p", "skip-host-key-check",
				"true")).hostKeys().skip()).isTrue();
	}

	@Test
	void missingSettingsNameTheirProperty() {
		assertProperty(null, "/p", Map.of("user", "u", "password", "p"), PREFIX + ".host");
		assertProperty(null, "/p", Map.of("host", "h", "password", "p"), PREFIX + ".user");
		assertProperty(URI.create("sftp://example.com/p"), null, Map.of("password", "p"), PREFIX + ".user");
		assertProperty(null, "/p", Map.of("host", "h", "user", "u"), PREFIX + ".password");
		assertProperty(URI.create("sftp://u@example.com/p"), null, Map.of("host", "other", "password", "p"),
				PREFIX + ".host");
	}

	@Test
	void aHostKeyThatIsNotAKeyIsNamed() {
		assertThatExceptionOfType(LitestreamConfigurationException.class)
			.isThrownBy(() -> configure(null, "/p", Map.of("host", "h", "user", "u", "password", "p", "host-key",
					"example.com ssh-ed25519 not-base64")))
			.satisfies((ex) -> assertThat(ex.getProperty()).isEqualTo(PREFIX + ".host-key"));
	}

	@Test
	void propertiesAndUrlsNeverShowThePassword() {
		SftpReplicaProperties properties = new SftpReplicaProperties();
		properties.setPassword("hunter2");
		assertThat(properties.toString()).doesNotContain("hunter2").contains("password=******");
		LitestreamProperties.Replica replica = new LitestreamProperties.Replica();
		replica.setUrl("sftp://u:hunter2@example.com/p");
		assertThat(replica.toString()).doesNotContain("hunter2").contains("sftp://u:******@example.com/p");
	}

	private void assertProperty(URI url, String path, Map<String, String> keys, String property) {
		assertThatExceptionOfType(LitestreamConfigurationException.class).isThrownBy(() -> configure(url, path, keys))
			.satisfies((ex) -> assertThat(ex.getProperty()).isEqualTo(property))
			.satisfies((ex) -> assertThat(ex.getMessage()).doesNotContain("hunter2"));
	}

	private SftpReplicaConfig configure(URI url, String path, Map<String, String> keys) {
		Map<String, String> source = new LinkedHashMap<>();
		keys.forEach((key, value) -> source.put(PREFIX + "." + key, value));
		Binder binder = new Binder(new MapConfigurationPropertySource(source));
		return this.provider.configure(new ReplicaEntry(PREFIX, "sftp", url, path, binder));
	}

}
