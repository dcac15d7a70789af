package io.github.litestream.replica.abs;

import java.io.IOException;
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

	private final Duration responseTimeout;

	/**
	 * Creates a transport.
	 * @param connectTimeout the longest wait for a connection
	 * @param responseTimeout the longest wait for a response's headers
	 */
	JdkAzureHttpClient(Duration connectTimeout, Duration responseTimeout) {
		// HTTP/1.1: Azure Storage speaks nothing else, and an h2c upgrade attempt only costs a round trip.
		this.client = java.net.http.HttpClient.newBuilder()
			.version(Version.HTTP_1_1)
			.connectTimeout(connectTimeout)
			.followRedirects(Redirect.NEVER)
			.build();
		this.responseTimeout = responseTimeout;
	}

	@Override
	public Mono<HttpResponse> send(HttpRequest request) {
		return Mono.fromFuture(() -> this.client.sendAsync(toJdk(request), BodyHandlers.ofInputStream()))
			.map((response) -> new JdkAzureHttpResponse(request, response));
	}

	@Override
	public Mono<HttpResponse> send(HttpRequest request, Context context) {
		return send(request);
	}

	@Override
	public HttpResponse sendSync(HttpRequest request, Context context) {
		try {
			return new JdkAzureHttpResponse(request, this.client.send(toJdk(request), BodyHandlers.ofInputStream()));
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new UncheckedIOException(new InterruptedIOException("Interrupted while waiting for " + request.getUrl()));
		}
	}

	private java.net.http.HttpRequest toJdk(HttpRequest request) {
		java.net.http.HttpRequest.Builder builder;
		try {
			builder = java.net.http.HttpRequest.newBuilder(request.getUrl().toURI()).timeout(this.responseTimeout);
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
		return builder.method(request.getHttpMethod().name(), body(request)).build();
	}

	private static BodyPublisher body(HttpRequest request) {
		BinaryData body = request.getBodyAsBinaryData();
		if (body == null) {
			return BodyPublishers.noBody();
		}
		String declared = request.getHeaders().getValue("Content-Length");
		Long length = (declared != null) ? Long.valueOf(declared) : body.getLength();
		if (length != null && length == 0) {
			return BodyPublishers.noBody();
		}
		var publisher = JdkFlowAdapter.publisherToFlowPublisher(body.toFluxByteBuffer());
		return (length != null) ? BodyPublishers.fromPublisher(publisher, length) : BodyPublishers.fromPublisher(publisher);
	}

}
