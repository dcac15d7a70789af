package io.github.litestream.boot.autoconfigure;

import org.jspecify.annotations.Nullable;

import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.RuntimeHintsRegistrar;
import org.springframework.boot.context.properties.bind.BindableRuntimeHintsRegistrar;

/**
 * Binding hints for a native image: Spring's AOT engine finds {@link LitestreamProperties}
 * through its bean, but each replica type's own keys are bound at runtime by its provider
 * ({@link ReplicaEntry#bind}), out of the engine's sight. A provider of another module
 * registers its own properties class the same way.
 */
class LitestreamRuntimeHints implements RuntimeHintsRegistrar {

	@Override
	public void registerHints(RuntimeHints hints, @Nullable ClassLoader classLoader) {
		BindableRuntimeHintsRegistrar
			.forTypes(LitestreamProperties.class, S3ReplicaProperties.class, SftpReplicaProperties.class,
					AbsReplicaProperties.class, GcsReplicaProperties.class)
			.registerHints(hints, classLoader);
	}

}
