package io.github.litestream.replica.abs;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.http.HttpClient.Redirect;
import java.net.http.HttpClient.Version;
import java.net.http.HttpRequest.BodyPublisher;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;

import com.azure.core.http.HttpClient;
import com.azure.core.http.HttpHeader;
import com.azure.core.http.HttpRequest;
import com.azure.core.http.HttpResponse;
import com.azure.core.util.BinaryData;
import com.azure.core.util.Context;
import reactor.adapter.JdkFlowAdapter;
import reactor.core.publisher.Mono;

/**
 * Sends the Azure SDK's requests with the JDK's {@code java.net.http} client, so the replica
 * brings no Netty (the SDK's default transport) into an application that has its own server.
 * Azure's JDK transport module is not available here, and the SDK needs only this small seam.
 *
 * <p>Request bodies stream from the SDK's publisher with their declared length; response
 * bodies stay an open stream until read, so downloads hold no more than the SDK's read-ahead.
 * Headers the JDK client sets itself (such as {@code Content-Length} and {@code Host}) are left
 * to it: it derives the same values the SDK signed.
 */
final class JdkAzureHttpClient implements HttpClient {

	/**
	 * Headers the JDK client refuses to take from the caller. {@code Date} is not one of them:
	 * the SDK signs it, so it must go out as set.
	 */
	private static final Set<String> RESTRICTED = Set.of("connection", "content-length", "expect", "host", "upgrade");

	private final java.net.http.HttpClient client;

	/**
	 * The slowest upload allowed for: a request's timeout grows by its body's length at this
	 * rate, so that an 8 MiB block over a slow uplink (an edge box) is not cut after a minute.
	 */
	static final long SLOWEST_UPLOAD_BYTES_PER_SECOND = 16 * 1024;

	private final Duration responseTimeout;

	private final Duration stallTimeout;

	/**
	 * Creates a transport.
	 * @param connectTimeout the longest wait for a connection
	 * @param responseTimeout the longest wait for a response's headers after the request's
	 * body was sent (at {@link #SLOWEST_UPLOAD_BYTES_PER_SECOND})
	 * @param stallTimeout the longest wait for the next byte of a response's body
	 */
	JdkAzureHttpClient(Duration connectTimeout, Duration responseTimeout, Duration stallTimeout) {
		// HTTP/1.1: Azure Storage speaks nothing else, and an h2c upgrade attempt only costs a round trip.
		this.client = java.net.http.HttpClient.newBuilder()
			.version(Version.HTTP_1_1)
			.connectTimeout(connectTimeout)
			.followRedirects(Redirect.NEVER)
			.build();
		this.responseTimeout = responseTimeout;
		this.stallTimeout = stallTimeout;
	}

	@Override
	public Mono<HttpResponse> send(HttpRequest request) {
		return Mono.fromFuture(() -> this.client.sendAsync(toJdk(request), BodyHandlers.ofInputStream()))
			.map((response) -> new JdkAzureHttpResponse(request, response, guard(request, response)));
	}

	@Override
	public Mono<HttpResponse> send(HttpRequest request, Context context) {
		return send(request);
	}

	@Override
	public HttpResponse sendSync(HttpRequest request, Context context) {
		try {
			java.net.http.HttpResponse<InputStream> response = this.client.send(toJdk(request),
					BodyHandlers.ofInputStream());
			return new JdkAzureHttpResponse(request, response, guard(request, response));
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new UncheckedIOException(new InterruptedIOException("Interrupted while waiting for " + request.getUrl()));
		}
	}

	private InputStream guard(HttpRequest request, java.net.http.HttpResponse<InputStream> response) {
		String url = request.getUrl().toString();
		int query = url.indexOf('?');
		return new StallGuardedInputStream(response.body(), this.stallTimeout,
				(query < 0) ? url : url.substring(0, query));
	}

	private java.net.http.HttpRequest toJdk(HttpRequest request) {
		java.net.http.HttpRequest.Builder builder;
		Long length = bodyLength(request);
		Duration uploading = Duration.ofSeconds((length != null) ? length / SLOWEST_UPLOAD_BYTES_PER_SECOND : 0);
		try {
			builder = java.net.http.HttpRequest.newBuilder(request.getUrl().toURI())
				.timeout(this.responseTimeout.plus(uploading));
		}
		catch (URISyntaxException ex) {
			throw new IllegalArgumentException("Invalid request URL " + request.getUrl(), ex);
		}
		for (HttpHeader header : request.getHeaders()) {
			if (!RESTRICTED.contains(header.getName().toLowerCase(Locale.ROOT))) {
				for (String value : header.getValuesList()) {
					builder.header(header.getName(), value);
				}
			}
		}
		return builder.method(request.getHttpMethod().name(), body(request, length)).build();
	}

	/** The request body's declared length, 0 without a body, {@code null} if unknown. */
	private static Long bodyLength(HttpRequest request) {
		BinaryData body = request.getBodyAsBinaryData();
		if (body == null) {
			return 0L;
		}
		String declared = request.getHeaders().getValue("Content-Length");
		return (declared != null) ? Long.valueOf(declared) : body.getLength();
	}

	private static BodyPublisher body(HttpRequest request, Long length) {
		BinaryData body = request.getBodyAsBinaryData();
		if (body == null) {
			return BodyPublishers.noBody();
		}
		if (length != null && length == 0) {
			return BodyPublishers.noBody();
		}
		var publisher = JdkFlowAdapter.publisherToFlowPublisher(body.toFluxByteBuffer());
		return (length != null) ? BodyPublishers.fromPublisher(publisher, length) : BodyPublishers.fromPublisher(publisher);
	}

}
