package io.github.litestream.replica.s3;

import java.time.Instant;
import java.util.List;

import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.services.s3.model.CommonPrefix;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;

/**
 * One page of a ListObjectsV2 listing, whether it came through the SDK or directly
 * ({@link S3DirectReader}): keys and prefixes decoded.
 *
 * @param objects the objects of the page
 * @param commonPrefixes the prefixes the delimiter rolled up, with their trailing delimiter
 * @param nextContinuationToken where the next page starts, or {@code null} after the last page
 */
record S3ListingPage(List<ListedObject> objects, List<String> commonPrefixes, @Nullable String nextContinuationToken) {

	/**
	 * The page of an SDK response.
	 * @param response the response
	 * @return the page
	 */
	static S3ListingPage of(ListObjectsV2Response response) {
		return new S3ListingPage(
				response.contents()
					.stream()
					.map((object) -> new ListedObject(object.key(), (object.size() != null) ? object.size() : 0,
							object.lastModified()))
					.toList(),
				response.commonPrefixes().stream().map(CommonPrefix::prefix).toList(),
				Boolean.TRUE.equals(response.isTruncated()) ? response.nextContinuationToken() : null);
	}

	/**
	 * An object in a listing.
	 *
	 * @param key its full key
	 * @param size its size in bytes
	 * @param lastModified when it was written
	 */
	record ListedObject(String key, long size, Instant lastModified) {
	}

}
