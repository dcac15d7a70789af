package io.github.litestream.boot.autoconfigure;

import java.util.Arrays;

import net.jpountz.lz4.LZ4Factory;
import net.jpountz.xxhash.XXHashFactory;
import org.junit.jupiter.api.Test;

import org.springframework.aot.hint.MemberCategory;
import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.predicate.RuntimeHintsPredicates;
import org.springframework.aot.hint.TypeReference;
import org.springframework.core.io.ClassPathResource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The hints a native image needs beyond what Spring's AOT engine finds: binding of the keys
 * bound at runtime, and lz4-java's reflection, JNI and native libraries. The lz4 checks use
 * the implementations lz4-java really picks on this machine, so a renamed class fails here.
 */
class LitestreamRuntimeHintsTests {

	private final RuntimeHints hints = new RuntimeHints();

	LitestreamRuntimeHintsTests() {
		ClassLoader classLoader = getClass().getClassLoader();
		new LitestreamRuntimeHints().registerHints(this.hints, classLoader);
		new Lz4RuntimeHints().registerHints(this.hints, classLoader);
	}

	@Test
	void replicaKeysBoundByProvidersAtRuntimeCanBeBound() throws Exception {
		for (Class<?> type : new Class<?>[] { S3ReplicaProperties.class, SftpReplicaProperties.class,
				AbsReplicaProperties.class, GcsReplicaProperties.class }) {
			assertThat(RuntimeHintsPredicates.reflection().onType(type)).as(type.getSimpleName()).accepts(this.hints);
		}
		assertThat(RuntimeHintsPredicates.reflection().onMethodInvocation(S3ReplicaProperties.class, "setBucket"))
			.accepts(this.hints);
		assertThat(RuntimeHintsPredicates.reflection()
			.onMethodInvocation(S3ReplicaProperties.class.getMethod("setForcePathStyle", Boolean.class)))
			.accepts(this.hints);
		assertThat(RuntimeHintsPredicates.reflection().onConstructorInvocation(S3ReplicaProperties.class.getConstructor()))
			.accepts(this.hints);
		assertThat(RuntimeHintsPredicates.reflection().onType(SftpReplicaProperties.class)).accepts(this.hints);
	}

	@Test
	void nestedPropertiesOfEveryDatabaseAndReplicaCanBeBound() {
		for (Class<?> type : new Class<?>[] { LitestreamProperties.Database.class, LitestreamProperties.Restore.class,
				LitestreamProperties.Replica.class }) {
			assertThat(RuntimeHintsPredicates.reflection().onType(type)).as(type.getSimpleName()).accepts(this.hints);
		}
		assertThat(RuntimeHintsPredicates.reflection()
			.onMethodInvocation(LitestreamProperties.Replica.class, "setSyncInterval")).accepts(this.hints);
	}

	@Test
	void theLz4ImplementationsChosenOnThisMachineAreReachable() {
		for (Object chosen : new Object[] { LZ4Factory.fastestInstance().fastCompressor(),
				LZ4Factory.fastestInstance().highCompressor(), LZ4Factory.fastestInstance().safeDecompressor(),
				LZ4Factory.safeInstance().fastCompressor(), XXHashFactory.fastestInstance().hash32(),
				XXHashFactory.safeInstance().hash32() }) {
			assertThat(RuntimeHintsPredicates.reflection()
				.onType(chosen.getClass())
				.withMemberCategories(MemberCategory.ACCESS_PUBLIC_FIELDS)).as(chosen.getClass().getName())
				.accepts(this.hints);
		}
		assertThat(RuntimeHintsPredicates.reflection()
			.onType(TypeReference.of("net.jpountz.lz4.LZ4JavaSafeCompressor"))).accepts(this.hints);
	}

	@Test
	void lz4NativeMethodsAndLibrariesAreIncluded() {
		assertThat(this.hints.jni().getTypeHint(TypeReference.of("net.jpountz.lz4.LZ4JNI"))).isNotNull();
		assertThat(this.hints.jni().getTypeHint(TypeReference.of("net.jpountz.xxhash.XXHashJNI"))).isNotNull();
		assertThat(RuntimeHintsPredicates.resource().forResource("net/jpountz/util/linux/amd64/liblz4-java.so"))
			.accepts(this.hints);
		assertThat(RuntimeHintsPredicates.resource().forResource("net/jpountz/util/darwin/aarch64/liblz4-java.dylib"))
			.accepts(this.hints);
		assertThat(new ClassPathResource("net/jpountz/util/linux/amd64/liblz4-java.so").exists())
			.as("the pattern matches where lz4-java keeps its libraries")
			.isTrue();
	}

	@Test
	void sqliteJdbcBringsItsOwnNativeImageConfiguration() {
		// sqlite-jdbc registers its JNI library, reflection and resources itself (an
		// org.sqlite native-image feature); if a version stops doing so, hints are needed here.
		assertThat(new ClassPathResource("META-INF/native-image/org.xerial/sqlite-jdbc/native-image.properties")
			.exists()).isTrue();
		assertThat(Arrays.asList(LitestreamAutoConfiguration.class.getAnnotation(
				org.springframework.context.annotation.ImportRuntimeHints.class).value()))
			.contains(LitestreamRuntimeHints.class, Lz4RuntimeHints.class);
	}

}
