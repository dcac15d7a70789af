package io.github.litestream.boot.actuate;

import java.util.ArrayList;
import java.util.List;

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
		List<Class<?>> declared = new ArrayList<>(List.of(LitestreamEndpoint.class.getDeclaredClasses()));
		// The recovery operations' results, which the endpoint returns as OperationResponseBody.
		declared.addAll(List.of(LitestreamRecoveryOperations.class.getDeclaredClasses()));
		for (Class<?> type : declared) {
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
