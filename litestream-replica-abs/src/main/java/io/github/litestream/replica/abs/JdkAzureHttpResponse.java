package io.github.litestream.replica.abs;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import com.azure.core.http.HttpHeaders;
import com.azure.core.http.HttpRequest;
import com.azure.core.http.HttpResponse;
import com.azure.core.util.FluxUtil;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A response of {@link JdkAzureHttpClient}: the status and headers, and the body as the open
 * stream the JDK client delivers, read only when the SDK asks for it.
 */
final class JdkAzureHttpResponse extends HttpResponse {

	private static final int CHUNK = 64 * 1024;

	private final int status;

	private final HttpHeaders headers;

	private final InputStream body;

	/**
	 * Wraps an answer.
	 * @param request the SDK's request
	 * @param response the JDK client's answer
	 * @param body its body, as the SDK is to read it
	 */
	JdkAzureHttpResponse(HttpRequest request, java.net.http.HttpResponse<InputStream> response, InputStream body) {
		super(request);
		this.status = response.statusCode();
		this.headers = new HttpHeaders();
		for (Map.Entry<String, List<String>> header : response.headers().map().entrySet()) {
			if (!header.getKey().startsWith(":")) {
				this.headers.set(header.getKey(), header.getValue());
			}
		}
		this.body = body;
	}

	@Override
	public int getStatusCode() {
		return this.status;
	}

	@Override
	@SuppressWarnings("deprecation")
	public String getHeaderValue(String name) {
		return this.headers.getValue(name);
	}

	@Override
	public HttpHeaders getHeaders() {
		return this.headers;
	}

	@Override
	public Flux<ByteBuffer> getBody() {
		return FluxUtil.toFluxByteBuffer(this.body, CHUNK).doFinally((signal) -> close());
	}

	@Override
	public Mono<byte[]> getBodyAsByteArray() {
		return Mono.fromCallable(this::readAll);
	}

	@Override
	public Mono<String> getBodyAsString() {
		return getBodyAsString(StandardCharsets.UTF_8);
	}

	@Override
	public Mono<String> getBodyAsString(Charset charset) {
		return getBodyAsByteArray().map((bytes) -> new String(bytes, charset));
	}

	@Override
	public Mono<InputStream> getBodyAsInputStream() {
		return Mono.just(this.body);
	}

	@Override
	public InputStream getBodyAsInputStreamSync() {
		return this.body;
	}

	@Override
	public void close() {
		try {
			this.body.close();
		}
		catch (IOException ex) {
			// Nothing is lost: the response was read or is abandoned.
		}
	}

	private byte[] readAll() {
		try (InputStream in = this.body) {
			return in.readAllBytes();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
