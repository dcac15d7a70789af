package io.github.litestream.boot.actuate;

import org.jspecify.annotations.Nullable;

import org.springframework.aot.hint.BindingReflectionHintsRegistrar;
import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.RuntimeHintsRegistrar;

/**
 * Reflection for the JSON of {@code /actuator/litestream}: its response records and every type
 * they hold, so that Jackson can write them in a native image whatever reaches it first.
 */
class LitestreamEndpointRuntimeHints implements RuntimeHintsRegistrar {

	@Override
	public void registerHints(RuntimeHints hints, @Nullable ClassLoader classLoader) {
		new BindingReflectionHintsRegistrar().registerReflectionHints(hints.reflection(),
				LitestreamEndpoint.LitestreamDescriptor.class, LitestreamEndpoint.DatabaseDetailDescriptor.class,
				LitestreamEndpoint.ActionDescriptor.class, LitestreamRecoveryOperations.RestoreDescriptor.class,
				LitestreamRecoveryOperations.ValidationsDescriptor.class,
				LitestreamRecoveryOperations.ReplicaValidationDescriptor.class);
	}

}
