package io.github.litestream.boot.autoconfigure;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.env.OriginTrackedMapPropertySource;
import org.springframework.boot.origin.Origin;
import org.springframework.boot.origin.OriginTrackedValue;
import org.springframework.boot.origin.TextResourceOrigin;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.SimpleCommandLinePropertySource;
import org.springframework.core.env.SystemEnvironmentPropertySource;
import org.springframework.core.io.ByteArrayResource;
import org.springframework.core.io.Resource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.io.support.SpringFactoriesLoader;

import static org.assertj.core.api.Assertions.assertThat;

class LitestreamEnvironmentPostProcessorTests {

	private final Map<String, String> variables = Map.of("BUCKET", "my-bucket", "SYNC", "3s", "KEY_ID", "AKID",
			"DIR", "/var/lib/app");

	private final LitestreamEnvironmentPostProcessor postProcessor = new LitestreamEnvironmentPostProcessor(
			this.variables::get);

	@Test
	void expandsBareAndBracedVariablesInLitestreamValues() {
		StandardEnvironment environment = environment(Map.of("litestream.dbs[0].path", "$DIR/app.db",
				"litestream.dbs[0].replicas[0].url", "s3://${BUCKET}/db",
				"litestream.dbs[0].replicas[0].sync-interval", "$SYNC", "litestream.access-key-id", "${KEY_ID}"));
		this.postProcessor.postProcessEnvironment(environment, new SpringApplication());
		LitestreamProperties properties = bind(environment);
		assertThat(properties.getDbs().get(0).getPath()).isEqualTo("/var/lib/app/app.db");
		assertThat(properties.getDbs().get(0).getReplicas().get(0).getUrl()).isEqualTo("s3://my-bucket/db");
		assertThat(properties.getDbs().get(0).getReplicas().get(0).getSyncInterval()).isEqualTo(Duration.ofSeconds(3));
		assertThat(properties.getAccessKeyId()).isEqualTo("AKID");
	}

	@Test
	void expandedValuesKeepTheFileAndLineTheyCameFrom() {
		// An error in a value (a Go duration, say) then names application.yml's line, not the
		// property source of the expanded values.
		Resource file = new ByteArrayResource(new byte[0], "application.yml");
		Map<String, Object> values = new LinkedHashMap<>();
		values.put("litestream.dbs[0].path", OriginTrackedValue.of("$DIR/app.db", origin(file, 3)));
		values.put("litestream.dbs[0].replicas[0].retention", OriginTrackedValue.of("1h30m", origin(file, 7)));
		StandardEnvironment environment = new StandardEnvironment();
		environment.getPropertySources().addFirst(new OriginTrackedMapPropertySource("application.yml", values));
		this.postProcessor.postProcessEnvironment(environment, new SpringApplication());
		assertThat(environment.getPropertySources().iterator().next().getName())
			.isEqualTo(LitestreamEnvironmentPostProcessor.PROPERTY_SOURCE_NAME);
		ConfigurationPropertySource expanded = ConfigurationPropertySources.from(environment.getPropertySources())
			.iterator()
			.next();
		ConfigurationProperty path = expanded
			.getConfigurationProperty(ConfigurationPropertyName.of("litestream.dbs[0].path"));
		assertThat(path.getValue()).isEqualTo("/var/lib/app/app.db");
		// Spring wraps an origin with its property source's, and shows the innermost.
		assertThat(path.getOrigin()).hasToString(origin(file, 3).toString());
		// Copied with the list, unexpanded: still where the file has it.
		assertThat(expanded
			.getConfigurationProperty(ConfigurationPropertyName.of("litestream.dbs[0].replicas[0].retention"))
			.getOrigin()).hasToString(origin(file, 7).toString());
	}

	private static Origin origin(Resource file, int line) {
		return new TextResourceOrigin(file, new TextResourceOrigin.Location(line, 4));
	}

	@Test
	void oneExpandedValueKeepsTheRestOfItsListEntry() {
		// Spring binds a list from one property source: the expanded values must not replace
		// the entry's other values.
		StandardEnvironment environment = environment(Map.of("litestream.dbs[0].path", "/plain/app.db",
				"litestream.dbs[0].monitor-interval", "2s", "litestream.dbs[0].replicas[0].url", "s3://$BUCKET/db",
				"litestream.dbs[0].replicas[0].sync-interval", "5s", "litestream.dbs[1].path", "/plain/other.db"));
		environment.getPropertySources()
			.addLast(new MapPropertySource("lower", Map.of("litestream.dbs[0].path", "/lower/ignored.db")));
		this.postProcessor.postProcessEnvironment(environment, new SpringApplication());
		LitestreamProperties properties = bind(environment);
		assertThat(properties.getDbs()).hasSize(2);
		assertThat(properties.getDbs().get(0).getPath()).isEqualTo("/plain/app.db");
		assertThat(properties.getDbs().get(0).getMonitorInterval()).isEqualTo(Duration.ofSeconds(2));
		assertThat(properties.getDbs().get(0).getReplicas().get(0).getUrl()).isEqualTo("s3://my-bucket/db");
		assertThat(properties.getDbs().get(0).getReplicas().get(0).getSyncInterval()).isEqualTo(Duration.ofSeconds(5));
		assertThat(properties.getDbs().get(1).getPath()).isEqualTo("/plain/other.db");
	}

	@Test
	void unsetVariableBecomesEmptyLikeLitestream() {
		StandardEnvironment environment = environment(Map.of("litestream.secret-access-key", "x$UNSET"));
		this.postProcessor.postProcessEnvironment(environment, new SpringApplication());
		assertThat(environment.getProperty("litestream.secret-access-key")).isEqualTo("x");
	}

	@Test
	void anUnsetBracedVariableIsLeftForSpringToResolveNotEmptied() {
		StandardEnvironment environment = environment(
				Map.of("S3_SECRET", "from-a-property", "litestream.secret-access-key", "${S3_SECRET}"));
		this.postProcessor.postProcessEnvironment(environment, new SpringApplication());
		assertThat(environment.getProperty("litestream.secret-access-key")).isEqualTo("from-a-property");
	}

	@Test
	void anUnsetBracedVariableThatNoPropertyNamesBecomesEmptyLikeLitestream() {
		// Litestream's documented form: unset on an instance with a role, the credentials come
		// from the default chain rather than being the text "${...}".
		StandardEnvironment environment = environment(Map.of("litestream.access-key-id", "${LS_UNSET_KEY_ID}",
				"litestream.dbs[0].path", "${LS_UNSET_DATA}/app.db"));
		this.postProcessor.postProcessEnvironment(environment, new SpringApplication());
		assertThat(environment.getProperty("litestream.access-key-id")).isEmpty();
		assertThat(bind(environment).getDbs().get(0).getPath()).isEqualTo("/app.db");
	}

	@Test
	void anUnsetBracedVariableIsStillResolvedFromAPropertySourceAddedLater() {
		// Such as @DynamicPropertySource or @PropertySource, added after post-processing.
		StandardEnvironment environment = environment(Map.of("litestream.dbs[0].path", "${LS_LATE_DATA}/app.db"));
		this.postProcessor.postProcessEnvironment(environment, new SpringApplication());
		environment.getPropertySources().addLast(new MapPropertySource("late", Map.of("LS_LATE_DATA", "/late")));
		assertThat(bind(environment).getDbs().get(0).getPath()).isEqualTo("/late/app.db");
	}

	@Test
	void leavesSpringPlaceholdersAndOtherPropertiesAlone() {
		StandardEnvironment environment = environment(
				Map.of("app.dir", "/srv", "litestream.dbs[0].path", "${app.dir}/app.db", "other.value", "$BUCKET"));
		this.postProcessor.postProcessEnvironment(environment, new SpringApplication());
		assertThat(environment.getProperty("litestream.dbs[0].path")).isEqualTo("/srv/app.db");
		assertThat(environment.getProperty("other.value")).isEqualTo("$BUCKET");
	}

	@Test
	void respectsPrecedenceOfPropertySources() {
		StandardEnvironment environment = environment(Map.of("litestream.dbs[0].path", "$DIR/low.db"));
		environment.getPropertySources()
			.addFirst(new MapPropertySource("high", Map.of("litestream.dbs[0].path", "/high/$BUCKET.db")));
		this.postProcessor.postProcessEnvironment(environment, new SpringApplication());
		assertThat(bind(environment).getDbs().get(0).getPath()).isEqualTo("/high/my-bucket.db");
	}

	@Test
	void aCommandLineValueOfOneListEntryKeepsTheEntrysOtherValuesFromTheConfigurationFiles() {
		StandardEnvironment environment = environment(Map.of("litestream.dbs[0].monitor-interval", "2s",
				"litestream.dbs[0].replicas[0].path", "data/replica", "litestream.dbs[0].replicas[0].sync-interval", "3s",
				"litestream.dbs[1].path", "/srv/other.db", "litestream.dbs[1].replicas[0].path", "other-replica"));
		environment.getPropertySources()
			.addFirst(new SimpleCommandLinePropertySource("--litestream.dbs[0].synchronous-replication=on",
					"--litestream.dbs[0].replicas[0].sync-interval=5s"));
		this.postProcessor.postProcessEnvironment(environment, new SpringApplication());
		LitestreamProperties properties = bind(environment);
		assertThat(properties.getDbs()).hasSize(2);
		LitestreamProperties.Database first = properties.getDbs().get(0);
		assertThat(first.getSynchronousReplication()).isEqualTo(LitestreamProperties.SynchronousReplication.ON);
		assertThat(first.getMonitorInterval()).isEqualTo(Duration.ofSeconds(2));
		assertThat(first.getReplicas()).singleElement().satisfies((replica) -> {
			assertThat(replica.getPath()).isEqualTo("data/replica");
			assertThat(replica.getSyncInterval()).isEqualTo(Duration.ofSeconds(5));
		});
		assertThat(properties.getDbs().get(1).getReplicas().get(0).getPath()).isEqualTo("other-replica");
	}

	@Test
	void anEnvironmentVariableMergesLikeACommandLineArgument() {
		// As application.yml: below the environment variables.
		StandardEnvironment environment = new StandardEnvironment();
		environment.getPropertySources()
			.addLast(new MapPropertySource("application.yml", Map.of("litestream.dbs[0].replicas[0].path", "data/replica")));
		environment.getPropertySources()
			.replace(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
					new SystemEnvironmentPropertySource(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
							Map.of("LITESTREAM_DBS_0_SYNCHRONOUSREPLICATION", "on")));
		new LitestreamEnvironmentPostProcessor((name) -> null).postProcessEnvironment(environment,
				new SpringApplication());
		LitestreamProperties.Database db = bind(environment).getDbs().get(0);
		assertThat(db.getSynchronousReplication()).isEqualTo(LitestreamProperties.SynchronousReplication.ON);
		assertThat(db.getReplicas().get(0).getPath()).isEqualTo("data/replica");
	}

	@Test
	void valuesFromTheEnvironmentOrTheCommandLineAreTakenAsTheyAreNotExpanded() {
		// Litestream expands its configuration file; a variable's own value (a password with a $)
		// is already what the shell made of it.
		StandardEnvironment environment = new StandardEnvironment();
		environment.getPropertySources()
			.addLast(new MapPropertySource("application.yml", Map.of("litestream.dbs[0].replicas[0].path", "$DIR/replica")));
		environment.getPropertySources()
			.replace(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
					new SystemEnvironmentPropertySource(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
							Map.of("LITESTREAM_DBS_0_REPLICAS_0_PASSWORD", "pa$$w0rd", "LITESTREAM_SECRET_ACCESS_KEY",
									"se$cret")));
		environment.getPropertySources()
			.addFirst(new SimpleCommandLinePropertySource("--litestream.dbs[0].replicas[0].user=$USER"));
		new LitestreamEnvironmentPostProcessor((name) -> name.equals("DIR") ? "/data" : null)
			.postProcessEnvironment(environment, new SpringApplication());
		assertThat(environment.getProperty("litestream.dbs[0].replicas[0].password")).isEqualTo("pa$$w0rd");
		assertThat(environment.getProperty("litestream.dbs[0].replicas[0].user")).isEqualTo("$USER");
		assertThat(environment.getProperty("litestream.dbs[0].replicas[0].path")).as("the file's value is expanded")
			.isEqualTo("/data/replica");
		assertThat(environment.getProperty("litestream.secret-access-key")).isEqualTo("se$cret");
	}

	@Test
	void aReplicaWhoseTypeOrUrlIsOverriddenIsAnotherReplicaAndReplacesTheEntryWhole() {
		StandardEnvironment environment = environment(Map.of("litestream.dbs[0].replicas[0].type", "file",
				"litestream.dbs[0].replicas[0].path", "data/replica", "litestream.dbs[0].replicas[0].retention", "24h"));
		environment.getPropertySources()
			.addFirst(new SimpleCommandLinePropertySource("--litestream.dbs[0].replicas[0].url=s3://bucket/db"));
		this.postProcessor.postProcessEnvironment(environment, new SpringApplication());
		LitestreamProperties.Replica replica = bind(environment).getDbs().get(0).getReplicas().get(0);
		assertThat(replica.getUrl()).isEqualTo("s3://bucket/db");
		assertThat(replica.getType()).isNull();
		assertThat(replica.getPath()).isNull();
	}

	@Test
	void betweenConfigurationFilesAListStillReplacesAList() {
		StandardEnvironment environment = environment(Map.of("litestream.dbs[0].replicas[0].path", "default-replica",
				"litestream.dbs[0].replicas[1].path", "second-replica"));
		environment.getPropertySources()
			.addFirst(new MapPropertySource("profile", Map.of("litestream.dbs[0].replicas[0].path", "profile-replica")));
		this.postProcessor.postProcessEnvironment(environment, new SpringApplication());
		assertThat(bind(environment).getDbs().get(0).getReplicas()).singleElement()
			.satisfies((replica) -> assertThat(replica.getPath()).isEqualTo("profile-replica"));
	}

	@Test
	void expandEnvFalseTurnsExpansionOff() {
		StandardEnvironment environment = environment(
				Map.of("litestream.expand-env", "false", "litestream.secret-access-key", "pa$BUCKET"));
		this.postProcessor.postProcessEnvironment(environment, new SpringApplication());
		assertThat(environment.getProperty("litestream.secret-access-key")).isEqualTo("pa$BUCKET");
	}

	@Test
	void isRegisteredInSpringFactories() {
		// Boot's own post-processors need constructor arguments: skip them, keep ours
		assertThat(SpringFactoriesLoader.forDefaultResourceLocation()
			.load(EnvironmentPostProcessor.class, null, SpringFactoriesLoader.FailureHandler.handleMessage((message,
					failure) -> {
			}))).anyMatch(LitestreamEnvironmentPostProcessor.class::isInstance);
	}

	private static StandardEnvironment environment(Map<String, Object> values) {
		StandardEnvironment environment = new StandardEnvironment();
		environment.getPropertySources().addFirst(new MapPropertySource("test", new LinkedHashMap<>(values)));
		return environment;
	}

	private static LitestreamProperties bind(StandardEnvironment environment) {
		return Binder.get(environment).bind("litestream", Bindable.of(LitestreamProperties.class)).get();
	}

}
