/**
 * The age v1 file format (age-encryption.org/v1), X25519 recipients only, as Litestream
 * v0.3.10+ encrypts replica objects: {@link io.github.litestream.age.Age} encrypts and
 * decrypts streams, {@link io.github.litestream.age.AgeRecipient} and
 * {@link io.github.litestream.age.AgeIdentity} are the {@code age1…} public and
 * {@code AGE-SECRET-KEY-1…} secret keys. Built on the JCA's X25519, ChaCha20-Poly1305 and
 * HMAC-SHA-256, the first two from Conscrypt when it is on the classpath and usable, else from
 * the JDK ({@code CryptoProvider}); depends on nothing else in the engine.
 */
@NullMarked
package io.github.litestream.age;

import org.jspecify.annotations.NullMarked;
