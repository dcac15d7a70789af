package io.github.litestream.replica.s3;

import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Finds the region of a bucket on AWS when the user configured neither a region nor an
 * endpoint, as Litestream does, so {@code url: s3://bucket/path} alone is enough.
 *
 * <p>It asks {@code us-east-1} with HeadBucket: AWS answers with the bucket's region in the
 * {@code x-amz-bucket-region} header, even when it refuses the request with 301 or 403. If that
 * header is missing it falls back to GetBucketLocation. If both fail it returns
 * {@code us-east-1} and logs why, and the real requests report the cause later.
 */
final class BucketRegionLocator {

	private static final Logger logger = LoggerFactory.getLogger(BucketRegionLocator.class);

	private static final String REGION_HEADER = "x-amz-bucket-region";

	private BucketRegionLocator() {
	}

	static Region locate(S3ReplicaConfig config, AwsCredentialsProvider credentials,
			SdkHttpClient.Builder<?> httpClient) {
		try (S3Client probe = S3Client.builder()
			.region(Region.US_EAST_1)
			.credentialsProvider(credentials)
			.httpClientBuilder(httpClient)
			.build()) {
			return locate(probe, config.bucket()).map(Region::of).orElseGet(() -> {
				logger.warn("Cannot discover the region of bucket '{}' for S3 replica {}; using {}. Set the "
						+ "replica's 'region' to avoid this lookup", config.bucket(), config.location(),
						Region.US_EAST_1);
				return Region.US_EAST_1;
			});
		}
	}

	/**
	 * Asks a store for a bucket's region.
	 * @param probe a client of any region
	 * @param bucket the bucket
	 * @return the region, or empty if the store would not say
	 */
	static Optional<String> locate(S3Client probe, String bucket) {
		try {
			String region = probe.headBucket((request) -> request.bucket(bucket)).bucketRegion();
			if (region != null && !region.isEmpty()) {
				return Optional.of(region);
			}
		}
		catch (S3Exception ex) {
			Optional<String> header = ex.awsErrorDetails().sdkHttpResponse().firstMatchingHeader(REGION_HEADER);
			if (header.isPresent()) {
				return header;
			}
		}
		catch (SdkException ex) {
			logger.debug("HeadBucket on '{}' failed: {}", bucket, ex.getMessage());
		}
		try {
			String constraint = probe.getBucketLocation((request) -> request.bucket(bucket)).locationConstraintAsString();
			return Optional.of(fromLocationConstraint(constraint));
		}
		catch (SdkException ex) {
			logger.debug("GetBucketLocation on '{}' failed: {}", bucket, ex.getMessage());
			return Optional.empty();
		}
	}

	/**
	 * Maps GetBucketLocation's answer to a region: empty means {@code us-east-1}, {@code EU} is
	 * the old name of {@code eu-west-1}.
	 * @param constraint the location constraint
	 * @return the region id
	 */
	static String fromLocationConstraint(String constraint) {
		if (constraint == null || constraint.isEmpty() || "null".equals(constraint)) {
			return Region.US_EAST_1.id();
		}
		return "EU".equals(constraint) ? Region.EU_WEST_1.id() : constraint;
	}

}
