package io.github.litestream.boot.autoconfigure;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;

import io.github.litestream.replica.abs.AbsClientFactory;
import io.github.litestream.replica.abs.AbsReplicaConfig;
import org.junit.jupiter.api.Test;

import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The Azure provider binds Litestream's {@code abs} keys of a replica entry: the URL form, the
 * separate keys, the account key from {@code LITESTREAM_AZURE_ACCOUNT_KEY}, and errors that
 * name the property to fix without showing the key.
 */
class AbsReplicaClientProviderTests {

	private static final String PREFIX = "litestream.dbs[0].replicas[0]";

	private static final String KEY = "a2V5LW9mLXRoZS1hY2NvdW50LWZvci10ZXN0cw==";

	private final Map<String, String> environment = new LinkedHashMap<>();

	private final AbsReplicaClientProvider provider = new AbsReplicaClientProvider(AbsClientFactory.withDefaults(),
			this.environment::get);

	@Test
	void urlNamesAccountContainerAndPath() {
		AbsReplicaConfig config = configure(URI.create("abs://acct@container/backups/app"), null,
				Map.of("account-key", KEY));

		assertThat(config.location()).isEqualTo("abs://acct@container/backups/app");
		assertThat(config.endpoint()).isEqualTo("https://acct.blob.core.windows.net");
	}

	@Test
	void separateKeysWithRelaxedNames() {
		AbsReplicaConfig config = configure(null, "backups/app", Map.of("accountName", "acct", "bucket", "container",
				"account-key", KEY, "endpoint", "http://127.0.0.1:10000/acct"));

		assertThat(config.location()).isEqualTo("abs://acct@container/backups/app");
		assertThat(config.endpoint()).isEqualTo("http://127.0.0.1:10000/acct");
	}

	@Test
	void accountKeyComesFromTheEnvironmentWhenTheReplicaSetsNone() {
		this.environment.put("LITESTREAM_AZURE_ACCOUNT_KEY", KEY);

		AbsReplicaConfig config = configure(URI.create("abs://acct@container/db"), null, Map.of());

		assertThat(config.toString()).doesNotContain(KEY);
	}

	@Test
	void missingKeyNamesThePropertyAndTheVariable() {
		assertThatExceptionOfType(LitestreamConfigurationException.class)
			.isThrownBy(() -> configure(URI.create("abs://acct@container/db"), null, Map.of()))
			.satisfies((ex) -> assertThat(ex.getProperty()).isEqualTo(PREFIX + ".account-key"))
			.withMessageContaining("LITESTREAM_AZURE_ACCOUNT_KEY");
	}

	@Test
	void keyThatIsNotBase64IsNamedButNotShown() {
		String bad = "this is not base64 but is secret";
		assertThatExceptionOfType(LitestreamConfigurationException.class)
			.isThrownBy(() -> configure(URI.create("abs://acct@container/db"), null, Map.of("account-key", bad)))
			.satisfies((ex) -> assertThat(ex.getProperty()).isEqualTo(PREFIX + ".account-key"))
			.withMessageNotContaining(bad);
	}

	@Test
	void missingContainerNamesBucket() {
		assertThatExceptionOfType(LitestreamConfigurationException.class)
			.isThrownBy(() -> configure(null, "db", Map.of("account-name", "acct", "account-key", KEY)))
			.satisfies((ex) -> assertThat(ex.getProperty()).isEqualTo(PREFIX + ".bucket"));
	}

	@Test
	void urlAndBucketTogetherAreAmbiguousAsInLitestream() {
		assertThatExceptionOfType(LitestreamConfigurationException.class)
			.isThrownBy(() -> configure(URI.create("abs://acct@container/db"), null,
					Map.of("bucket", "other", "account-key", KEY)))
			.satisfies((ex) -> assertThat(ex.getProperty()).isEqualTo(PREFIX + ".bucket"))
			.withMessageContaining("ambiguous");
	}

	@Test
	void propertiesHideTheKey() {
		AbsReplicaProperties properties = new AbsReplicaProperties();
		properties.setAccountName("acct");
		properties.setAccountKey(KEY);

		assertThat(properties.toString()).contains("acct").doesNotContain(KEY);
	}

	private AbsReplicaConfig configure(URI url, String path, Map<String, String> keys) {
		Map<String, String> source = new LinkedHashMap<>();
		keys.forEach((key, value) -> source.put(PREFIX + "." + key, value));
		Binder binder = new Binder(new MapConfigurationPropertySource(source));
		return this.provider.configure(new ReplicaEntry(PREFIX, "abs", url, path, binder));
	}

}
