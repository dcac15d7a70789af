package io.github.litestream.boot.autoconfigure;

import java.io.InputStream;
import java.lang.reflect.RecordComponent;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import io.github.litestream.db.DatabaseOptions;
import io.github.litestream.lease.LeaseOptions;
import io.github.litestream.replica.ReplicaOptions;
import io.github.litestream.restore.RestoreOptions;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.BeanWrapperImpl;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.util.ReflectionUtils;
import org.springframework.util.unit.DataSize;

import static org.assertj.core.api.Assertions.assertThat;

class LitestreamPropertiesTests {

	/**
	 * Engine options that deliberately have no property, and why.
	 */
	private static final Map<String, String> WITHOUT_PROPERTY = Map.of(
			// The restore's output is the database itself (litestream.dbs[n].path).
			"RestoreOptions.outputPath", "the database's path",
			// Restore-on-boot restores the latest state; earlier points are restored from code
			// into a side file (docs/restore.md).
			"RestoreOptions.generation", "always the latest", "RestoreOptions.index", "always the latest",
			"RestoreOptions.timestamp", "always the latest",
			// Restore-on-boot only runs when the file is missing and never replaces one.
			"RestoreOptions.ifDbNotExists", "always true",
			// Restore-on-boot restores the latest state, which replication continues; there is
			// nothing to choose (docs/restore.md, "The restored generation continues").
			"RestoreOptions.continueGeneration", "always true on boot");

	/**
	 * Engine options whose property has no default to compare, or deliberately another one.
	 */
	private static final Map<String, String> OTHER_DEFAULT = Map.of(
			// Required by the engine; the property may be omitted for the only SQLite DataSource.
			"DatabaseOptions.path", "no default",
			// Required by the engine; the property defaults to the replica's type.
			"ReplicaOptions.name", "the replica's type",
			// An explicit restore fails on an empty replica; on boot an empty replica is a new
			// application, which starts with an empty database (false is an opt-in check).
			"RestoreOptions.ifReplicaExists", "true on boot");

	@Test
	void everyEngineOptionHasAPropertyWithTheEnginesDefault() {
		Path path = Path.of("app.db");
		List<String> problems = new ArrayList<>();
		problems.addAll(problems(DatabaseOptions.defaults(path), new LitestreamProperties.Database(),
				new LitestreamProperties()));
		problems.addAll(problems(ReplicaOptions.defaults("file"), new LitestreamProperties.Replica()));
		problems.addAll(problems(RestoreOptions.latest(path), new LitestreamProperties.Restore()));
		problems.addAll(problems(LeaseOptions.defaults(), new LitestreamProperties.Lease()));
		assertThat(problems).isEmpty();
	}

	@Test
	void exclusionsNameRealEngineOptions() {
		Set<String> options = new HashSet<>();
		for (Class<?> type : List.of(DatabaseOptions.class, ReplicaOptions.class, RestoreOptions.class,
				LeaseOptions.class)) {
			for (RecordComponent component : type.getRecordComponents()) {
				options.add(type.getSimpleName() + "." + component.getName());
			}
		}
		assertThat(options).containsAll(WITHOUT_PROPERTY.keySet()).containsAll(OTHER_DEFAULT.keySet());
	}

	@Test
	void aNewEngineOptionWithoutAPropertyOrWithAnotherDefaultIsNamed() {
		LitestreamProperties.Replica properties = new LitestreamProperties.Replica();
		assertThat(problems(new NewReplicaOptions(properties.getSyncInterval(), Duration.ofSeconds(3)), properties))
			.singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
			.contains("NewReplicaOptions.compactionInterval has no property");
		assertThat(problems(new NewReplicaOptions(Duration.ofSeconds(2), null), properties))
			.first(org.assertj.core.api.InstanceOfAssertFactories.STRING)
			.contains("NewReplicaOptions.syncInterval defaults to PT2S, but its property to PT1S");
	}

	/**
	 * What is wrong between an engine options record and the property classes that configure
	 * it: a component without a readable property of the same name, or with another default.
	 * @param engineDefaults the record with the engine's defaults
	 * @param properties fresh property objects, with their defaults
	 * @return the problems, each naming the option
	 */
	private static List<String> problems(Record engineDefaults, Object... properties) {
		List<String> problems = new ArrayList<>();
		for (RecordComponent component : engineDefaults.getClass().getRecordComponents()) {
			String option = engineDefaults.getClass().getSimpleName() + "." + component.getName();
			if (WITHOUT_PROPERTY.containsKey(option)) {
				continue;
			}
			Object holder = Arrays.stream(properties)
				.filter((candidate) -> readable(candidate, component.getName()))
				.findFirst()
				.orElse(null);
			if (holder == null) {
				problems.add(option + " has no property in " + Arrays.stream(properties)
					.map((candidate) -> candidate.getClass().getSimpleName())
					.toList() + ": add one, or list it in WITHOUT_PROPERTY with the reason");
				continue;
			}
			if (OTHER_DEFAULT.containsKey(option)) {
				continue;
			}
			ReflectionUtils.makeAccessible(component.getAccessor());
			Object engineDefault = ReflectionUtils.invokeMethod(component.getAccessor(), engineDefaults);
			Object propertyDefault = comparable(new BeanWrapperImpl(holder).getPropertyValue(component.getName()));
			if (!Objects.equals(engineDefault, propertyDefault)) {
				problems.add(option + " defaults to " + engineDefault + ", but its property to " + propertyDefault);
			}
		}
		return problems;
	}

	private static boolean readable(Object properties, String name) {
		return new BeanWrapperImpl(properties).isReadableProperty(name);
	}

	/**
	 * A property's value in the engine's unit.
	 */
	private static Object comparable(Object value) {
		return (value instanceof DataSize size) ? size.toBytes() : value;
	}

	/**
	 * ReplicaOptions with an option that has no property.
	 */
	record NewReplicaOptions(Duration syncInterval, Duration compactionInterval) {
	}

	@Test
	void bindsTheKeysOfLitestreamYml() {
		Map<String, String> source = Map.ofEntries(Map.entry("litestream.expand-env", "false"),
				Map.entry("litestream.shutdown-timeout", "10s"), Map.entry("litestream.synchronous", "extra"),
				Map.entry("litestream.dbs[0].path", "data/app.db"),
				Map.entry("litestream.dbs[0].monitor-interval", "2s"),
				Map.entry("litestream.dbs[0].min-checkpoint-page-count", "500"),
				Map.entry("litestream.dbs[0].restore.if-replica-exists", "false"),
				Map.entry("litestream.dbs[0].restore.parallelism", "3"),
				Map.entry("litestream.dbs[0].replicas[0].url", "s3://bucket/path"),
				Map.entry("litestream.dbs[0].replicas[0].force-path-style", "true"),
				Map.entry("litestream.dbs[0].replicas[0].retention", "48h"),
				Map.entry("litestream.dbs[0].replicas[1].type", "file"),
				Map.entry("litestream.dbs[0].replicas[1].path", "/backups/app"));
		Binder binder = new Binder(new MapConfigurationPropertySource(source));
		LitestreamProperties properties = binder.bind("litestream", Bindable.of(LitestreamProperties.class)).get();
		assertThat(properties.isExpandEnv()).isFalse();
		assertThat(properties.getShutdownTimeout()).isEqualTo(Duration.ofSeconds(10));
		assertThat(properties.getSynchronous()).isEqualTo(LitestreamProperties.Synchronous.EXTRA);
		LitestreamProperties.Database db = properties.getDbs().get(0);
		assertThat(db.getPath()).isEqualTo("data/app.db");
		assertThat(db.getMonitorInterval()).isEqualTo(Duration.ofSeconds(2));
		assertThat(db.getMinCheckpointPageCount()).isEqualTo(500);
		assertThat(db.getRestore().isIfReplicaExists()).isFalse();
		assertThat(db.getRestore().getParallelism()).isEqualTo(3);
		assertThat(binder.bind("litestream.dbs[0].replicas[0]", Bindable.of(S3ReplicaProperties.class))
			.get()
			.getForcePathStyle()).isTrue();
		assertThat(db.getReplicas().get(0).getRetention()).isEqualTo(Duration.ofHours(48));
		assertThat(db.getReplicas().get(1).getPath()).isEqualTo("/backups/app");
	}

	@Test
	void toStringNeverShowsCredentials() {
		LitestreamProperties properties = new LitestreamProperties();
		properties.setAccessKeyId("AKIDEXAMPLE");
		properties.setSecretAccessKey("wJalrXUtnFEMI");
		LitestreamProperties.Database db = new LitestreamProperties.Database();
		db.getReplicas().add(new LitestreamProperties.Replica());
		properties.getDbs().add(db);
		S3ReplicaProperties replica = new S3ReplicaProperties();
		replica.setAccessKeyId("AKIDREPLICA");
		replica.setSecretAccessKey("replica-secret");
		assertThat(properties + " " + replica).doesNotContain("AKIDEXAMPLE", "wJalrXUtnFEMI", "AKIDREPLICA",
				"replica-secret");
	}

	@Test
	void generatedMetadataDescribesEveryTopLevelPropertyWithDefaults() throws Exception {
		JsonNode metadata;
		try (InputStream in = getClass().getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
			assertThat(in).as("generated by spring-boot-configuration-processor").isNotNull();
			metadata = JsonMapper.builder().build().readTree(in);
		}
		Map<String, JsonNode> byName = new java.util.HashMap<>();
		metadata.get("properties").forEach((property) -> byName.put(property.get("name").asString(), property));
		assertThat(byName).containsKeys("litestream.enabled", "litestream.expand-env", "litestream.access-key-id",
				"litestream.secret-access-key", "litestream.shutdown-timeout", "litestream.busy-timeout",
				"litestream.synchronous", "litestream.dbs");
		byName.values().forEach((property) -> assertThat(property.path("description").asString()).isNotBlank());
		assertThat(byName.get("litestream.enabled").get("defaultValue").asBoolean()).isTrue();
		assertThat(byName.get("litestream.shutdown-timeout").get("defaultValue").asString()).isEqualTo("30s");
		assertThat(byName.get("litestream.busy-timeout").get("defaultValue").asString()).isEqualTo("5s");
		assertThat(byName.get("litestream.synchronous").get("defaultValue").asString()).isEqualTo("NORMAL");
		assertThat(byName.get("litestream.synchronous").get("type").asString())
			.isEqualTo(LitestreamProperties.Synchronous.class.getName().replace(".Synchronous", "$Synchronous"));
		JsonNode synchronousHint = null;
		for (JsonNode hint : metadata.get("hints")) {
			if (hint.get("name").asString().equals("litestream.synchronous")) {
				synchronousHint = hint;
			}
		}
		assertThat(synchronousHint).as("hint for litestream.synchronous").isNotNull();
		java.util.List<String> values = new java.util.ArrayList<>();
		synchronousHint.get("values").forEach((value) -> values.add(value.get("value").asString()));
		assertThat(values).containsExactly(java.util.Arrays.stream(LitestreamProperties.Synchronous.values())
			.map(Enum::name)
			.toArray(String[]::new));
		assertThat(byName.get("litestream.transaction-mode").get("defaultValue").asString())
			.isEqualToIgnoringCase(new LitestreamProperties().getTransactionMode().name());
		java.util.List<String> modes = new java.util.ArrayList<>();
		for (JsonNode hint : metadata.get("hints")) {
			if (hint.get("name").asString().equals("litestream.transaction-mode")) {
				hint.get("values").forEach((value) -> modes.add(value.get("value").asString()));
			}
		}
		assertThat(modes).containsExactly(java.util.Arrays.stream(LitestreamProperties.TransactionMode.values())
			.map(Enum::name)
			.toArray(String[]::new));
	}

}
