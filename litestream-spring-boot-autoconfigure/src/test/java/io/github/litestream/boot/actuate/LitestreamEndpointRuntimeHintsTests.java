package io.github.litestream.boot.actuate;

import org.junit.jupiter.api.Test;

import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.predicate.RuntimeHintsPredicates;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every record of the endpoint's JSON, to the deepest one, can be written in a native image.
 */
class LitestreamEndpointRuntimeHintsTests {

	@Test
	void everyResponseRecordAndWhatItHoldsIsRegistered() throws Exception {
		RuntimeHints hints = new RuntimeHints();
		new LitestreamEndpointRuntimeHints().registerHints(hints, getClass().getClassLoader());
		for (Class<?> type : LitestreamEndpoint.class.getDeclaredClasses()) {
			if (type.isRecord()) {
				assertThat(RuntimeHintsPredicates.reflection().onType(type)).as(type.getSimpleName()).accepts(hints);
				for (var component : type.getRecordComponents()) {
					assertThat(RuntimeHintsPredicates.reflection().onMethodInvocation(component.getAccessor()))
						.as(type.getSimpleName() + "." + component.getName())
						.accepts(hints);
				}
			}
		}
	}

}
