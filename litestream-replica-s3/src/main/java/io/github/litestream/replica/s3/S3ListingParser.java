package io.github.litestream.replica.s3;

import java.io.InputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;

import software.amazon.awssdk.utils.http.SdkHttpUtils;

/**
 * Reads a ListObjectsV2 answer ({@code <ListBucketResult>}) with the JDK's StAX parser, which a
 * fresh JVM loads in a fraction of the time the SDK's unmarshalling takes. Strict: anything but
 * a {@code ListBucketResult} whose objects all have a key, a size and a time is an error, and
 * the caller asks the SDK instead. No DTDs or external entities are read.
 */
final class S3ListingParser {

	private static final XMLInputFactory FACTORY = newFactory();

	private S3ListingParser() {
	}

	/**
	 * Parses one page.
	 * @param xml the answer's body
	 * @return the page, keys and prefixes decoded when the answer says they are URL-encoded
	 * @throws XMLStreamException if the body is not well-formed XML
	 * @throws IllegalArgumentException if it is not a listing this class can read
	 */
	static S3ListingPage parse(InputStream xml) throws XMLStreamException {
		XMLStreamReader reader = FACTORY.createXMLStreamReader(xml);
		try {
			if (reader.nextTag() != XMLStreamConstants.START_ELEMENT
					|| !reader.getLocalName().equals("ListBucketResult")) {
				throw new IllegalArgumentException("not a ListBucketResult: " + reader.getLocalName());
			}
			return readResult(reader);
		}
		finally {
			reader.close();
		}
	}

	private static S3ListingPage readResult(XMLStreamReader reader) throws XMLStreamException {
		List<String[]> objects = new ArrayList<>();
		List<String> prefixes = new ArrayList<>();
		boolean truncated = false;
		String token = null;
		boolean urlEncoded = false;
		while (reader.nextTag() == XMLStreamConstants.START_ELEMENT) {
			switch (reader.getLocalName()) {
				case "Contents" -> objects.add(readObject(reader));
				case "CommonPrefixes" -> prefixes.add(readPrefix(reader));
				case "IsTruncated" -> truncated = Boolean.parseBoolean(reader.getElementText().trim());
				case "NextContinuationToken" -> token = reader.getElementText();
				case "EncodingType" -> urlEncoded = "url".equals(reader.getElementText().trim());
				default -> skip(reader);
			}
		}
		if (truncated && (token == null || token.isEmpty())) {
			// A ListObjects V1 answer (NextMarker) or a broken one: stopping here would drop keys.
			throw new XMLStreamException("the page says the listing goes on but names no NextContinuationToken");
		}
		boolean decode = urlEncoded;
		return new S3ListingPage(objects.stream()
			.map((o) -> new S3ListingPage.ListedObject(decode(o[0], decode), Long.parseLong(o[1].trim()),
					Instant.parse(o[2].trim())))
			.toList(), prefixes.stream().map((p) -> decode(p, decode)).toList(), truncated ? token : null);
	}

	/** Key, size and time of one {@code <Contents>}. */
	private static String[] readObject(XMLStreamReader reader) throws XMLStreamException {
		String[] object = new String[3];
		while (reader.nextTag() == XMLStreamConstants.START_ELEMENT) {
			switch (reader.getLocalName()) {
				case "Key" -> object[0] = reader.getElementText();
				case "Size" -> object[1] = reader.getElementText();
				case "LastModified" -> object[2] = reader.getElementText();
				default -> skip(reader);
			}
		}
		if (object[0] == null || object[1] == null || object[2] == null) {
			throw new IllegalArgumentException("an object without its Key, Size or LastModified");
		}
		return object;
	}

	private static String readPrefix(XMLStreamReader reader) throws XMLStreamException {
		String prefix = null;
		while (reader.nextTag() == XMLStreamConstants.START_ELEMENT) {
			if (reader.getLocalName().equals("Prefix")) {
				prefix = reader.getElementText();
			}
			else {
				skip(reader);
			}
		}
		if (prefix == null) {
			throw new IllegalArgumentException("CommonPrefixes without a Prefix");
		}
		return prefix;
	}

	/** Skips the element the reader is at, with everything in it. */
	private static void skip(XMLStreamReader reader) throws XMLStreamException {
		int depth = 1;
		while (depth > 0) {
			int event = reader.next();
			if (event == XMLStreamConstants.START_ELEMENT) {
				depth++;
			}
			else if (event == XMLStreamConstants.END_ELEMENT) {
				depth--;
			}
		}
	}

	private static String decode(String value, boolean urlEncoded) {
		return urlEncoded ? SdkHttpUtils.urlDecode(value) : value;
	}

	private static XMLInputFactory newFactory() {
		XMLInputFactory factory = XMLInputFactory.newDefaultFactory();
		factory.setProperty(XMLInputFactory.SUPPORT_DTD, false);
		factory.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
		return factory;
	}

}
