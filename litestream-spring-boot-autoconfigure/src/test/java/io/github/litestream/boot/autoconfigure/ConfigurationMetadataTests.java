package io.github.litestream.boot.autoconfigure;

import java.beans.Introspector;
import java.beans.PropertyDescriptor;
import java.io.InputStream;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.jayway.jsonpath.JsonPath;
import org.junit.jupiter.api.Test;

import org.springframework.core.io.ClassPathResource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What IDEs get for the keys people type most, those inside {@code litestream.dbs[n]} and
 * {@code replicas[m]}: Spring Boot's metadata format has no entries for list elements, so the
 * IDEs that complete them (IntelliJ IDEA, Spring Tools) read the element type from the
 * {@code type} of {@code litestream.dbs} and browse its Java bean properties. These tests keep
 * that path open: the element types are named in the metadata and are public beans whose
 * every key has a getter and setter, and every key that does have an entry is described.
 */
class ConfigurationMetadataTests {

	private static final String METADATA = "META-INF/spring-configuration-metadata.json";

	@Test
	void theDatabaseListNamesItsElementTypeForIdesToBrowse() throws Exception {
		assertThat(this.<List<String>>read("$.properties[?(@.name == 'litestream.dbs')].type"))
			.containsExactly("java.util.List<" + LitestreamProperties.Database.class.getName() + ">");
	}

	@Test
	void everyPropertyWithAnEntryIsDescribed() throws Exception {
		List<Map<String, Object>> properties = read("$.properties[?(@.name =~ /(litestream|management.*litestream).*/)]");
		assertThat(properties).hasSizeGreaterThan(10);
		assertThat(properties).allSatisfy((property) -> assertThat(property.get("description"))
			.as("description of %s", property.get("name"))
			.asString()
			.isNotBlank());
	}

	@Test
	void nestedKeysArePublicBeanPropertiesThatIdesCanComplete() throws Exception {
		for (Class<?> type : List.of(LitestreamProperties.Database.class, LitestreamProperties.Restore.class,
				LitestreamProperties.Replica.class)) {
			assertThat(Modifier.isPublic(type.getModifiers()) && Modifier.isStatic(type.getModifiers()))
				.as("%s is a public static class", type.getSimpleName())
				.isTrue();
			assertThat(type.getConstructor()).as("%s has a public no-argument constructor", type.getSimpleName())
				.isNotNull();
			assertThat(keys(type)).as("keys of %s", type.getSimpleName()).isNotEmpty();
		}
		assertThat(keys(LitestreamProperties.Database.class)).contains("path", "monitorInterval", "restore",
				"replicas");
		assertThat(keys(LitestreamProperties.Replica.class)).contains("type", "url", "path", "syncInterval");
	}

	/** Bean properties with a getter and, unless they are nested groups, a setter. */
	private static List<String> keys(Class<?> type) throws Exception {
		List<String> keys = new ArrayList<>();
		for (PropertyDescriptor property : Introspector.getBeanInfo(type, Object.class).getPropertyDescriptors()) {
			boolean group = property.getPropertyType() == LitestreamProperties.Restore.class;
			if (property.getReadMethod() != null && (group || property.getWriteMethod() != null)) {
				keys.add(property.getName());
			}
		}
		return keys;
	}

	private <T> T read(String path) throws Exception {
		try (InputStream metadata = new ClassPathResource(METADATA).getInputStream()) {
			return JsonPath.parse(metadata).read(path);
		}
	}

}
