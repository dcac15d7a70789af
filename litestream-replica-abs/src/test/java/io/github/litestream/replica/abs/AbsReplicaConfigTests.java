package io.github.litestream.replica.abs;

import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Litestream v0.3.14's {@code abs} settings: the URL form, which key wins, the account key from
 * the environment, the default endpoint, and errors that name the key to fix and never the
 * account key.
 */
class AbsReplicaConfigTests {

	private static final String KEY = "c2VjcmV0LWFjY291bnQta2V5LWZvci10ZXN0cw==";

	@Test
	void parsesAccountContainerAndPathFromTheUrl() {
		AbsReplicaConfig config = AbsReplicaConfig.builder()
			.url("abs://myaccount@mycontainer/backups/app/")
			.accountKey(KEY)
			.build();

		assertThat(config.accountName()).isEqualTo("myaccount");
		assertThat(config.container()).isEqualTo("mycontainer");
		assertThat(config.path()).isEqualTo("backups/app");
		assertThat(config.endpoint()).isEqualTo("https://myaccount.blob.core.windows.net");
		assertThat(config.location()).isEqualTo("abs://myaccount@mycontainer/backups/app");
	}

	@Test
	void explicitKeysWinOverTheUrlAsInLitestream() {
		AbsReplicaConfig config = AbsReplicaConfig.builder()
			.url("abs://fromurl@container/url-path")
			.accountName("explicit")
			.accountKey(KEY)
			.build();

		assertThat(config.accountName()).isEqualTo("explicit");
		assertThat(config.path()).isEqualTo("url-path");
	}

	@Test
	void urlWithoutAccountTakesItFromAccountName() {
		AbsReplicaConfig config = AbsReplicaConfig.builder()
			.url("abs://container")
			.accountName("acct")
			.accountKey(KEY)
			.build();

		assertThat(config.location()).isEqualTo("abs://acct@container");
		assertThat(config.path()).isEmpty();
	}

	@Test
	void accountKeyFallsBackToLitestreamAzureAccountKey() {
		AbsReplicaConfig config = AbsReplicaConfig.builder()
			.accountName("acct")
			.container("c")
			.environment(Map.of("LITESTREAM_AZURE_ACCOUNT_KEY", KEY)::get)
			.build();

		assertThat(config.accountKey()).isEqualTo(KEY);
	}

	@Test
	void theReplicasOwnKeyWinsOverTheEnvironment() {
		String other = "b3RoZXIta2V5";
		AbsReplicaConfig config = AbsReplicaConfig.builder()
			.accountName("acct")
			.container("c")
			.accountKey(other)
			.environment(Map.of("LITESTREAM_AZURE_ACCOUNT_KEY", KEY)::get)
			.build();

		assertThat(config.accountKey()).isEqualTo(other);
	}

	@Test
	void endpointKeepsItsPathAndGetsHttpsWhenItHasNoScheme() {
		assertThat(builder().endpoint("http://127.0.0.1:10000/devstoreaccount1/").build().endpoint())
			.isEqualTo("http://127.0.0.1:10000/devstoreaccount1");
		assertThat(builder().endpoint("acct.blob.core.chinacloudapi.cn").build().endpoint())
			.isEqualTo("https://acct.blob.core.chinacloudapi.cn");
	}

	@Test
	void missingContainerNamesBucketAndUrl() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> AbsReplicaConfig.builder().accountName("acct").accountKey(KEY).environment(none()).build())
			.withMessageContaining("'bucket'")
			.withMessageContaining("abs://account@container/path");
	}

	@Test
	void missingAccountNamesAccountName() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> AbsReplicaConfig.builder().url("abs://container/p").accountKey(KEY).build())
			.withMessageContaining("'account-name'");
	}

	@Test
	void missingKeyNamesTheKeyAndTheEnvironmentVariable() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> AbsReplicaConfig.builder().url("abs://acct@container").environment(none()).build())
			.withMessageContaining("'account-key'")
			.withMessageContaining("LITESTREAM_AZURE_ACCOUNT_KEY");
	}

	@Test
	void keyThatIsNotBase64IsRejectedWithoutShowingIt() {
		String bad = "not base64 but secret!";
		assertThatIllegalArgumentException().isThrownBy(() -> builder().accountKey(bad).build())
			.withMessageContaining("'account-key'")
			.withMessageNotContaining(bad)
			.withNoCause();
	}

	@Test
	void malformedUrlsSayWhatIsExpected() {
		assertThatIllegalArgumentException().isThrownBy(() -> AbsReplicaConfig.parseUrl("s3://bucket/path"))
			.withMessageContaining("scheme must be 'abs'");
		assertThatIllegalArgumentException().isThrownBy(() -> AbsReplicaConfig.parseUrl("abs:///path"))
			.withMessageContaining("names no container");
		assertThatIllegalArgumentException().isThrownBy(() -> AbsReplicaConfig.parseUrl("abs://acct@container:99/p"))
			.withMessageContaining("ports");
	}

	@Test
	void aKeyInTheUrlIsRejectedAndRedacted() {
		assertThatIllegalArgumentException().isThrownBy(() -> AbsReplicaConfig.parseUrl("abs://acct:topsecret@c/p"))
			.withMessageContaining("'account-key'")
			.withMessageNotContaining("topsecret");
	}

	@Test
	void aKeyThatBreaksTheUrlIsNotEchoedEither() {
		for (String url : new String[] { "abs://acct:Zm9v/YmFy+cXV4@container/app", "abs://acct:Zm9v#YmFy@c/p" }) {
			assertThatIllegalArgumentException().isThrownBy(() -> AbsReplicaConfig.parseUrl(url))
				.withMessageNotContaining("Zm9v")
				.withMessageNotContaining("YmFy");
		}
	}

	@Test
	void toStringHidesTheKey() {
		AbsReplicaConfig config = builder().build();

		assertThat(config.toString()).contains("abs://acct@container/path").doesNotContain(KEY);
	}

	@Test
	void equalConfigurationsAreEqual() {
		assertThat(builder().build()).isEqualTo(builder().build()).hasSameHashCodeAs(builder().build());
		assertThat(builder().build()).isNotEqualTo(builder().path("other").build());
	}

	private static AbsReplicaConfig.Builder builder() {
		return AbsReplicaConfig.builder().url("abs://acct@container/path").accountKey(KEY).environment(none());
	}

	private static java.util.function.Function<String, String> none() {
		return (name) -> null;
	}

}
