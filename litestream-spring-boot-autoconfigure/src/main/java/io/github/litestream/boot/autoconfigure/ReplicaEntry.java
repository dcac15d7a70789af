package io.github.litestream.boot.autoconfigure;

import java.net.URI;

import org.jspecify.annotations.Nullable;

import org.springframework.beans.BeanUtils;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;

/**
 * One {@code litestream.dbs[n].replicas[m]} entry as a {@link ReplicaClientProvider} sees it
 * when it configures its type: the common location keys, already parsed, and a binder for
 * its own keys (relaxed names, placeholders and expanded {@code $VAR}s included).
 *
 * @param property the property prefix, such as {@code litestream.dbs[0].replicas[1]}, for
 * error messages
 * @param type the replica type
 * @param url the entry's {@code url}, or {@code null}; its scheme is one the provider owns
 * @param path the entry's {@code path}, or {@code null}; never set together with the url
 * @param binder binds the entry's keys
 */
public record ReplicaEntry(String property, String type, @Nullable URI url, @Nullable String path, Binder binder) {

	/**
	 * Binds the entry's keys onto a new JavaBean, such as the provider's own properties class.
	 * @param <T> the bean's type
	 * @param type the bean's class, with a no-argument constructor
	 * @return the bound bean, or a new one if the entry sets none of its keys
	 * @throws LitestreamConfigurationException if the binder's handler refused a value
	 */
	public <T> T bind(Class<T> type) {
		return LitestreamBindHandler.unwrapped(() -> this.binder.bind(this.property, Bindable.of(type)))
			.orElseGet(() -> BeanUtils.instantiateClass(type));
	}

	/**
	 * The full name of one of the entry's keys, for error messages.
	 * @param key the key, such as {@code bucket}
	 * @return the property, such as {@code litestream.dbs[0].replicas[1].bucket}
	 */
	public String property(String key) {
		return this.property + "." + key;
	}

}
