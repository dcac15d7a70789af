package io.github.litestream.boot.autoconfigure;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.github.litestream.Litestream;
import io.github.litestream.age.AgeIdentity;
import io.github.litestream.boot.actuate.LitestreamEndpoint;
import io.github.litestream.boot.actuate.LitestreamEndpointAutoConfiguration;
import io.github.litestream.boot.actuate.LitestreamReplicaLagAutoConfiguration;
import io.github.litestream.lease.FencedReplicaClient;
import io.github.litestream.replica.AgeReplicaClient;
import io.github.litestream.replica.Lz4;
import io.github.litestream.replica.Replica;
import io.github.litestream.replica.Pos;
import io.github.litestream.replica.file.FileReplicaClient;
import io.github.litestream.restore.AgeFixture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A replica's {@code age} keys in a real context: restore-on-boot of the age-encrypted replica
 * the Litestream v0.3.14 CLI wrote, encrypted replication and validation afterwards, the
 * endpoint, and configuration errors that name the key and never show a secret.
 */
@ExtendWith(OutputCaptureExtension.class)
class AgeEncryptionTests {

	private static final String RECIPIENT_1 = "age1ytcw80sk5z9dqex34s2yqrm8sqc0ghxf23muxf20h5a0hl94ysks9lvg4u";

	private static final String RECIPIENT_2 = "age1334dwpsgsatrh5ttfhhxhn56h97pywmsgz05337nnvuturnvzp4q409w8z";

	/** The age specification's example identity: a valid key that matches no stanza here. */
	private static final String STRANGER = "AGE-SECRET-KEY-1GFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPQ4EGAEX";

	private static final String AGE = "litestream.dbs[0].replicas[0].age";

	@TempDir
	Path dir;

	private Path fixture;

	private String secret1;

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(LitestreamAutoConfiguration.class,
				LitestreamReplicaLagAutoConfiguration.class, LitestreamEndpointAutoConfiguration.class))
		.withPropertyValues("management.endpoints.web.exposure.include=litestream");

	@BeforeEach
	void copyFixture() throws Exception {
		this.fixture = AgeFixture.copyTo(this.dir.resolve("fixture"));
		this.secret1 = Files.readAllLines(this.fixture.resolve("identity-1.txt"))
			.stream()
			.filter((line) -> line.startsWith("AGE-SECRET-KEY-1"))
			.findFirst()
			.orElseThrow();
	}

	@Test
	void restoresLitestreamsEncryptedReplicaOnBootThenReplicatesAndValidatesEncrypted(CapturedOutput output)
			throws Exception {
		Path db = this.dir.resolve("app.db");
		int snapshots = new FileReplicaClient(this.fixture.resolve("replica")).snapshots(AgeFixture.GENERATION).size();
		this.runner
			.withPropertyValues("litestream.dbs[0].path=" + db,
					"litestream.dbs[0].replicas[0].path=" + this.fixture.resolve("replica"),
					"litestream.dbs[0].replicas[0].sync-interval=100ms",
					"litestream.dbs[0].replicas[0].validation-interval=200ms", AGE + ".recipients[0]=" + RECIPIENT_1,
					AGE + ".recipients[1]=" + RECIPIENT_2, AGE + ".identities[0]=" + this.secret1,
					AGE + ".identity-files[0]=" + this.fixture.resolve("identity-2.txt"))
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(rows(db)).isEqualTo("251 31626");
				Litestream litestream = context.getBean(Litestream.class);
				Replica replica = litestream.replicas(litestream.databases().get(0)).get(0);
				// The engine guards the client with the replica's lease; inside it is the encrypting client.
				assertThat(((FencedReplicaClient) replica.client()).delegate()).isInstanceOf(AgeReplicaClient.class);
				await().atMost(Duration.ofSeconds(30))
					.untilAsserted(() -> assertThat(replica.status().lastValidation()).isNotNull()
						.satisfies((validation) -> assertThat(validation.matched()).as(validation.detail()).isTrue()));
				// Replication continues the generation the stock CLI wrote, with no snapshot of its own.
				String generation = replica.position().orElseThrow().generation();
				assertThat(generation).isEqualTo(AgeFixture.GENERATION);
				assertThat(replica.client().snapshots(generation)).hasSize(snapshots);
				// The WAL index the engine began is an age file that either identity alone opens.
				long index = litestream.databases().get(0).position().orElseThrow().index();
				await().atMost(Duration.ofSeconds(30)).until(() -> replica.client()
					.walSegments(generation)
					.stream()
					.anyMatch((segment) -> segment.index() == index && segment.offset() == 0));
				for (String identityFile : List.of("identity-1.txt", "identity-2.txt")) {
					AgeIdentity identity = AgeIdentity.parseFile(Files.readString(this.fixture.resolve(identityFile)))
						.get(0);
					AgeReplicaClient reader = new AgeReplicaClient(new FileReplicaClient(this.fixture.resolve("replica")),
							List.of(identity.recipient()), List.of(identity));
					try (InputStream in = Lz4.decompress(reader.openWalSegment(new Pos(generation, index, 0)))) {
						assertThat(HexFormat.of().formatHex(in.readNBytes(3))).as("WAL magic").isEqualTo("377f06");
					}
				}
				LitestreamEndpoint.ReplicaDescriptor described = context.getBean(LitestreamEndpoint.class)
					.litestream()
					.databases()
					.get(0)
					.replicas()
					.get(0);
				assertThat(described.encryption().recipients()).containsExactly(RECIPIENT_1, RECIPIENT_2);
				assertThat(described.encryption().identities()).isEqualTo(2);
				String shown = described + context.getBean(LitestreamDatabases.class).databases().toString()
						+ context.getBean(LitestreamProperties.class).getDbs().get(0).getReplicas().get(0).getAge();
				assertThat(shown).contains(RECIPIENT_1).doesNotContain("AGE-SECRET-KEY").doesNotContain(secret(this.secret1));
			});
		assertThat(output.getAll()).contains("Restoring").doesNotContain("AGE-SECRET-KEY").doesNotContain(secret(this.secret1));
	}

	@Test
	void noMatchingIdentityFailsStartupNamingTheObjectAndCreatesNoDatabase(CapturedOutput output) {
		Path db = this.dir.resolve("app.db");
		this.runner
			.withPropertyValues("litestream.dbs[0].path=" + db,
					"litestream.dbs[0].replicas[0].path=" + this.fixture.resolve("replica"),
					AGE + ".recipients[0]=" + RECIPIENT_1, AGE + ".identities[0]=" + STRANGER)
			.run((context) -> {
				FailureAnalysis analysis = LitestreamAutoConfigurationTests.analysis(context.getStartupFailure());
				assertThat(analysis.getDescription())
					.contains("generations/" + AgeFixture.GENERATION + "/snapshots/00000028.snapshot.lz4")
					.contains("No age identity matched")
					.contains("age.identities")
					.doesNotContain(secret(STRANGER));
				assertThat(analysis.getAction()).doesNotContain("fall-back");
			});
		assertThat(db).doesNotExist();
		assertThat(output.getAll()).doesNotContain(secret(STRANGER));
	}

	@Test
	void recipientsWithoutIdentitiesCannotRestoreAndSaySo() {
		this.runner
			.withPropertyValues("litestream.dbs[0].path=" + this.dir.resolve("app.db"),
					"litestream.dbs[0].replicas[0].path=" + this.fixture.resolve("replica"),
					AGE + ".recipients[0]=" + RECIPIENT_1)
			.run((context) -> assertThat(
					LitestreamAutoConfigurationTests.analysis(context.getStartupFailure()).getDescription())
				.contains("none is configured")
				.contains("age.identities"));
	}

	@Test
	void aBadRecipientIsNamed() {
		FailureAnalysis analysis = fail(AGE + ".recipients[0]=" + RECIPIENT_1,
				AGE + ".recipients[1]=" + RECIPIENT_2.replace('w', 'x'));
		assertThat(analysis.getDescription()).contains("'" + AGE + ".recipients[1]'").contains("checksum");
		assertThat(analysis.getAction()).contains("age-keygen -y");
	}

	@Test
	void aSecretKeyAmongTheRecipientsIsNamedButNotShown(CapturedOutput output) {
		FailureAnalysis analysis = fail(AGE + ".recipients[0]=" + this.secret1);
		assertThat(analysis.getDescription()).contains("'" + AGE + ".recipients[0]'")
			.contains("secret identity")
			.doesNotContain(secret(this.secret1));
		assertThat(output.getAll()).doesNotContain(secret(this.secret1));
	}

	@Test
	void aMistypedIdentityIsNamedButNotShown(CapturedOutput output) {
		String mistyped = this.secret1.substring(0, 40) + (this.secret1.charAt(40) == 'Q' ? 'P' : 'Q')
				+ this.secret1.substring(41);
		FailureAnalysis analysis = fail(AGE + ".recipients[0]=" + RECIPIENT_1, AGE + ".identities[0]=" + mistyped);
		assertThat(analysis.getDescription()).contains("'" + AGE + ".identities[0]'")
			.contains("checksum")
			.doesNotContain(secret(mistyped));
		assertThat(analysis.getAction()).contains("AGE-SECRET-KEY-1...").contains(AGE + ".identity-files");
		assertThat(output.getAll()).doesNotContain(secret(mistyped));
	}

	@Test
	void anEmptyIdentityFromAnUnsetVariableIsNamed() {
		FailureAnalysis analysis = fail(AGE + ".recipients[0]=" + RECIPIENT_1, AGE + ".identities[0]=");
		assertThat(analysis.getDescription()).contains("'" + AGE + ".identities[0]'").contains("empty");
	}

	@Test
	void anUnreadableIdentityFileIsNamed() throws Exception {
		Path missing = this.dir.resolve("secrets/age.txt");
		FailureAnalysis analysis = fail(AGE + ".recipients[0]=" + RECIPIENT_1, AGE + ".identity-files[0]=" + missing);
		assertThat(analysis.getDescription()).contains("'" + AGE + ".identity-files[0]'")
			.contains(missing.toString())
			.contains("can't be read");
		Path junk = Files.writeString(this.dir.resolve("junk.txt"), "# key\n" + this.secret1 + "\nnot-a-key\n");
		analysis = fail(AGE + ".recipients[0]=" + RECIPIENT_1, AGE + ".identity-files[0]=" + junk);
		assertThat(analysis.getDescription()).contains("'" + AGE + ".identity-files[0]'")
			.contains("line 3")
			.doesNotContain(secret(this.secret1));
	}

	@Test
	void identityFilesInAnotherFormatSayWhatToDo() throws Exception {
		Path utf16 = Files.writeString(this.dir.resolve("utf16.txt"), "\uFEFF# key\r\n" + this.secret1 + "\r\n",
				StandardCharsets.UTF_16LE);
		FailureAnalysis analysis = fail(AGE + ".recipients[0]=" + RECIPIENT_1, AGE + ".identity-files[0]=" + utf16);
		assertThat(analysis.getDescription()).contains("'" + AGE + ".identity-files[0]'")
			.contains("not UTF-8 text")
			.contains("UTF-16");
		Path encrypted = this.dir.resolve("identity.age");
		Files.write(encrypted, concat("age-encryption.org/v1\n-> scrypt abc 18\n".getBytes(StandardCharsets.US_ASCII),
				new byte[] { (byte) 0xC3, 0x28, (byte) 0xFF, 0x00 }));
		analysis = fail(AGE + ".recipients[0]=" + RECIPIENT_1, AGE + ".identity-files[0]=" + encrypted);
		assertThat(analysis.getDescription()).contains("encrypted age file").contains("age -d");
		Path ssh = Files.writeString(this.dir.resolve("id_ed25519"),
				"-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n");
		analysis = fail(AGE + ".recipients[0]=" + RECIPIENT_1, AGE + ".identity-files[0]=" + ssh);
		assertThat(analysis.getDescription()).contains("SSH or plugin key").contains("age-keygen");
		Path withBom = Files.writeString(this.dir.resolve("bom.txt"), "\uFEFF# key\n" + this.secret1 + "\n");
		this.runner
			.withPropertyValues("litestream.dbs[0].path=" + this.dir.resolve("app.db"),
					"litestream.dbs[0].replicas[0].path=" + this.dir.resolve("replica"),
					AGE + ".recipients[0]=" + RECIPIENT_1, AGE + ".identity-files[0]=" + withBom)
			.run((context) -> assertThat(context).as("a UTF-8 byte order mark is read past").hasNotFailed());
	}

	private static byte[] concat(byte[] first, byte[] second) {
		byte[] both = Arrays.copyOf(first, first.length + second.length);
		System.arraycopy(second, 0, both, first.length, second.length);
		return both;
	}

	@Test
	void identitiesWithoutRecipientsAreRejected() {
		FailureAnalysis analysis = fail(AGE + ".identities[0]=" + this.secret1);
		assertThat(analysis.getDescription()).contains("'" + AGE + ".recipients'").contains("unencrypted");
		assertThat(analysis.getAction()).contains("age-keygen -y");
	}

	@Test
	void identitiesExpandEnvironmentVariablesLikeLitestream() {
		StandardEnvironment environment = new StandardEnvironment();
		Map<String, Object> values = new LinkedHashMap<>();
		values.put("litestream.dbs[0].path", "/data/app.db");
		values.put("litestream.dbs[0].replicas[0].path", "/backups/app");
		values.put(AGE + ".recipients[0]", "$AGE_RECIPIENT");
		values.put(AGE + ".identities[0]", "${AGE_IDENTITY}");
		environment.getPropertySources().addFirst(new MapPropertySource("test", values));
		Map<String, String> variables = Map.of("AGE_RECIPIENT", RECIPIENT_1, "AGE_IDENTITY", this.secret1);
		new LitestreamEnvironmentPostProcessor(variables::get).postProcessEnvironment(environment,
				new SpringApplication());
		LitestreamProperties properties = Binder.get(environment)
			.bind("litestream", Bindable.of(LitestreamProperties.class))
			.get();
		AgeProperties age = properties.getDbs().get(0).getReplicas().get(0).getAge();
		assertThat(age.getRecipients()).containsExactly(RECIPIENT_1);
		assertThat(age.getIdentities()).containsExactly(this.secret1);
		assertThat(AgeSettings.of(AGE, age).identities()).singleElement()
			.satisfies((identity) -> assertThat(identity.recipient()).hasToString(RECIPIENT_1));
	}

	@Test
	void aValueMayHoldAWholeKeyFileAsLitestreamReadsIt() throws Exception {
		// A litestream.yml with the age-keygen output pasted as a block scalar, or a variable
		// holding the file: Litestream parses each value as a file of keys and # comments.
		AgeProperties age = new AgeProperties();
		age.setRecipients(List.of("# the application\n" + RECIPIENT_1 + "\n\n# the operator\r\n" + RECIPIENT_2 + "\n"));
		age.setIdentities(List.of(Files.readString(this.fixture.resolve("identity-1.txt")),
				Files.readString(this.fixture.resolve("identity-2.txt"))));
		AgeSettings settings = AgeSettings.of(AGE, age);
		assertThat(settings.recipients()).map(Object::toString).containsExactly(RECIPIENT_1, RECIPIENT_2);
		assertThat(settings.identities()).map((identity) -> identity.recipient().toString())
			.containsExactly(RECIPIENT_1, RECIPIENT_2);
	}

	@Test
	void aBadLineOfAKeyFileValueIsNamedButNotShown() {
		String mistyped = this.secret1.substring(0, 40) + (this.secret1.charAt(40) == 'Q' ? 'P' : 'Q')
				+ this.secret1.substring(41);
		FailureAnalysis analysis = fail(AGE + ".recipients[0]=# keys\n" + RECIPIENT_1,
				AGE + ".identities[0]=# created: today\n" + mistyped + "\n");
		assertThat(analysis.getDescription()).contains("'" + AGE + ".identities[0]'")
			.contains("line 2")
			.contains("checksum")
			.doesNotContain(secret(mistyped));
	}

	@Test
	void anIdentityFileUnderTheHomeDirectoryIsNamedWithATilde() throws Exception {
		Path home = Files.createDirectories(this.dir.resolve("home"));
		Files.writeString(home.resolve("identity.txt"), "# key\n" + this.secret1 + "\n");
		AgeProperties age = new AgeProperties();
		age.setRecipients(List.of(RECIPIENT_1));
		age.setIdentityFiles(List.of("~/identity.txt"));
		String before = System.getProperty("user.home");
		System.setProperty("user.home", home.toString());
		try {
			assertThat(AgeSettings.of(AGE, age).identities()).singleElement()
				.satisfies((identity) -> assertThat(identity.recipient()).hasToString(RECIPIENT_1));
		}
		finally {
			System.setProperty("user.home", before);
		}
	}

	private FailureAnalysis fail(String... age) {
		FailureAnalysis[] analysis = new FailureAnalysis[1];
		this.runner.withPropertyValues("litestream.dbs[0].path=" + this.dir.resolve("app.db"),
				"litestream.dbs[0].replicas[0].path=" + this.dir.resolve("replica"))
			.withPropertyValues(age)
			.run((context) -> analysis[0] = LitestreamAutoConfigurationTests.analysis(context.getStartupFailure()));
		return analysis[0];
	}

	/** The part of a secret key that is secret: what follows the fixed prefix. */
	private static String secret(String identity) {
		return identity.substring("AGE-SECRET-KEY-1".length(), "AGE-SECRET-KEY-1".length() + 20);
	}

	private static String rows(Path db) throws Exception {
		try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + db);
				Statement statement = connection.createStatement();
				ResultSet result = statement.executeQuery("select count(*), sum(seq) from t")) {
			result.next();
			return result.getLong(1) + " " + result.getLong(2);
		}
	}

}
