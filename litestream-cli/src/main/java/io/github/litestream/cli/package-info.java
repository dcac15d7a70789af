/**
 * {@code litestream-cli}: Litestream v0.3's operator verbs ({@code restore},
 * {@code generations}, {@code snapshots}, {@code wal}, {@code databases}) and {@code verify},
 * with its single-dash flags, over the engine's restore package and the replica backends.
 *
 * <p>The configuration ({@code -config}: a {@code litestream.yml} or the application's
 * {@code application.yml}/{@code .properties}) is read by the auto-configuration module's
 * binding and validation, without an application context, so the tool sees exactly the
 * replicas the application uses and reports the same errors.
 */
@NullMarked
package io.github.litestream.cli;

import org.jspecify.annotations.NullMarked;
