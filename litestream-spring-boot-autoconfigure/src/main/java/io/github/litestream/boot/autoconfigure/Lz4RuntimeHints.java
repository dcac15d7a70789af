package io.github.litestream.boot.autoconfigure;

import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.aot.hint.MemberCategory;
import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.RuntimeHintsRegistrar;
import org.springframework.aot.hint.TypeReference;
import org.springframework.util.ClassUtils;

/**
 * What lz4-java, which compresses every snapshot and WAL segment, needs in a native image. It
 * picks its fastest implementation at runtime: it loads a JNI library from a resource of its
 * jar ({@code net/jpountz/util/<os>/<arch>/liblz4-java.so}) and calls its native methods, and
 * it finds each implementation class by name and reads its {@code INSTANCE} field (or calls
 * its constructor) by reflection, falling back to the pure Java ones. All three families are
 * registered, so whichever the image's platform allows is found.
 */
class Lz4RuntimeHints implements RuntimeHintsRegistrar {

	private static final List<String> IMPLEMENTATIONS = List.of("JNI", "JavaSafe", "JavaUnsafe");

	private static final List<String> LZ4_CLASSES = List.of("net.jpountz.lz4.LZ4%sCompressor",
			"net.jpountz.lz4.LZ4HC%sCompressor", "net.jpountz.lz4.LZ4%sFastDecompressor",
			"net.jpountz.lz4.LZ4%sSafeDecompressor", "net.jpountz.xxhash.XXHash32%s", "net.jpountz.xxhash.XXHash64%s",
			"net.jpountz.xxhash.StreamingXXHash32%s$Factory", "net.jpountz.xxhash.StreamingXXHash64%s$Factory");

	private static final List<String> JNI_CLASSES = List.of("net.jpountz.lz4.LZ4JNI", "net.jpountz.xxhash.XXHashJNI");

	@Override
	public void registerHints(RuntimeHints hints, @Nullable ClassLoader classLoader) {
		if (!ClassUtils.isPresent("net.jpountz.lz4.LZ4Factory", classLoader)) {
			return;
		}
		for (String implementation : IMPLEMENTATIONS) {
			for (String pattern : LZ4_CLASSES) {
				String name = pattern.formatted(implementation);
				if (ClassUtils.isPresent(name, classLoader)) {
					hints.reflection()
						.registerType(TypeReference.of(name), MemberCategory.ACCESS_PUBLIC_FIELDS,
								MemberCategory.INVOKE_DECLARED_CONSTRUCTORS);
				}
			}
		}
		for (String name : JNI_CLASSES) {
			hints.jni().registerType(TypeReference.of(name), MemberCategory.INVOKE_DECLARED_METHODS);
		}
		hints.jni().registerType(TypeReference.of("net.jpountz.lz4.LZ4Exception"),
				MemberCategory.INVOKE_PUBLIC_CONSTRUCTORS);
		hints.resources().registerPattern("net/jpountz/util/*/*/liblz4-java.*");
	}

}
