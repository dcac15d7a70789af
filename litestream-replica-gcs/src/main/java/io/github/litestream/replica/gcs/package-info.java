/**
 * The Google Cloud Storage replica ({@code gcs}): Litestream's key layout under a path in one
 * bucket, written with Google's {@code google-cloud-storage} client over the JSON API. No Spring.
 */
@NullMarked
package io.github.litestream.replica.gcs;

import org.jspecify.annotations.NullMarked;
