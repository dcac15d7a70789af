package io.github.litestream.boot.docker.compose;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.service.connection.ConnectionDetailsFactory;
import org.springframework.boot.docker.compose.core.ConnectionPorts;
import org.springframework.boot.docker.compose.core.ImageReference;
import org.springframework.boot.docker.compose.core.RunningService;
import org.springframework.core.io.support.SpringFactoriesLoader;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a {@code minio} service of {@code compose.yaml} gives the S3 replicas. There is no
 * Docker here, so the running service is described by hand as Docker Compose reports it: a
 * host, the published port of MinIO's 9000, and the service's environment.
 */
class MinioDockerComposeConnectionDetailsFactoryTests {

	@Test
	void theServicesPublishedPortAndRootCredentials() {
		var details = new MinioDockerComposeConnectionDetailsFactory.MinioDockerComposeConnectionDetails(
				service(Map.of("MINIO_ROOT_USER", "app", "MINIO_ROOT_PASSWORD", "app-secret")));
		assertThat(details.endpoint()).isEqualTo("http://127.0.0.1:49153");
		assertThat(details.accessKeyId()).isEqualTo("app");
		assertThat(details.secretAccessKey()).isEqualTo("app-secret");
		assertThat(details.forcePathStyle()).isTrue();
		assertThat(details.toString()).doesNotContain("app-secret");
	}

	@Test
	void minioDefaultCredentialsWhenTheServiceSetsNone() {
		var details = new MinioDockerComposeConnectionDetailsFactory.MinioDockerComposeConnectionDetails(
				service(Map.of()));
		assertThat(details.accessKeyId()).isEqualTo("minioadmin");
		assertThat(details.secretAccessKey()).isEqualTo("minioadmin");
	}

	@Test
	void registeredForSpringBootsDockerComposeSupport() {
		assertThat(SpringFactoriesLoader.forDefaultResourceLocation()
			.load(ConnectionDetailsFactory.class, SpringFactoriesLoader.FailureHandler.handleMessage((message, ex) -> {
			})))
			.hasAtLeastOneElementOfType(MinioDockerComposeConnectionDetailsFactory.class);
	}

	private static RunningService service(Map<String, String> env) {
		return new RunningService() {

			@Override
			public String name() {
				return "minio";
			}

			@Override
			public ImageReference image() {
				return ImageReference.of("minio/minio:RELEASE.2023-09-04T19-57-37Z");
			}

			@Override
			public String host() {
				return "127.0.0.1";
			}

			@Override
			public ConnectionPorts ports() {
				return new ConnectionPorts() {

					@Override
					public int get(int containerPort) {
						assertThat(containerPort).isEqualTo(9000);
						return 49153;
					}

					@Override
					public List<Integer> getAll() {
						return List.of(49153);
					}

					@Override
					public List<Integer> getAll(String protocol) {
						return List.of(49153);
					}

				};
			}

			@Override
			public Map<String, String> env() {
				return env;
			}

			@Override
			public Map<String, String> labels() {
				return Map.of();
			}

		};
	}

}
