package io.github.litestream.age;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

/**
 * The textual header of an age v1 file: the version line, the recipient stanzas and the MAC.
 * Parsing is strict (canonical unpadded base64, 64-column body lines, no stray bytes), because
 * the MAC covers the header's bytes as they were read.
 */
final class AgeHeader {

	static final String VERSION_LINE = "age-encryption.org/v1";

	private static final String VERSION_PREFIX = "age-encryption.org/";

	/** More than any header Litestream or the age CLI writes; a bound for what we read. */
	private static final int MAX_HEADER_BYTES = 64 * 1024;

	private static final Base64.Encoder ENCODER = Base64.getEncoder().withoutPadding();

	private static final Base64.Decoder DECODER = Base64.getDecoder();

	private final List<Stanza> stanzas;

	private final byte[] macInput;

	private final byte[] mac;

	private AgeHeader(List<Stanza> stanzas, byte[] macInput, byte[] mac) {
		this.stanzas = stanzas;
		this.macInput = macInput;
		this.mac = mac;
	}

	List<Stanza> stanzas() {
		return this.stanzas;
	}

	/**
	 * Checks the MAC under a file key.
	 * @throws AgeException of kind {@code MAC} if it does not match
	 */
	void verifyMac(byte[] fileKey) throws AgeException {
		byte[] expected = Primitives.hmac(Primitives.hkdf(fileKey, new byte[0], "header"), this.macInput,
				this.macInput.length);
		if (!Primitives.constantTimeEquals(expected, this.mac)) {
			throw new AgeException(AgeException.Kind.MAC, "the age header's MAC does not match: the file was altered");
		}
	}

	/**
	 * Writes a header for stanzas, with its MAC under the file key.
	 * @return the header's bytes
	 */
	static byte[] encode(List<Stanza> stanzas, byte[] fileKey) {
		StringBuilder text = new StringBuilder(VERSION_LINE).append('\n');
		for (Stanza stanza : stanzas) {
			text.append("-> ").append(stanza.type());
			stanza.args().forEach((arg) -> text.append(' ').append(arg));
			text.append('\n');
			String body = ENCODER.encodeToString(stanza.body());
			for (int start = 0; start <= body.length(); start += 64) {
				// A body whose length is a multiple of 64 ends with an empty line.
				text.append(body, start, Math.min(body.length(), start + 64)).append('\n');
			}
		}
		text.append("---");
		byte[] macInput = text.toString().getBytes(StandardCharsets.US_ASCII);
		byte[] mac = Primitives.hmac(Primitives.hkdf(fileKey, new byte[0], "header"), macInput, macInput.length);
		text.append(' ').append(ENCODER.encodeToString(mac)).append('\n');
		return text.toString().getBytes(StandardCharsets.US_ASCII);
	}

	/**
	 * Reads a header, leaving {@code in} at the first byte of the payload.
	 * @throws AgeException of kind {@code HEADER} if it is not a valid age v1 header
	 * @throws IOException if {@code in} cannot be read
	 */
	static AgeHeader read(InputStream in) throws IOException {
		LineReader lines = new LineReader(in);
		String version = lines.next();
		if (version == null || !version.startsWith(VERSION_PREFIX)) {
			throw invalid("it does not start with the line " + VERSION_LINE + " (not an age file)");
		}
		if (!version.equals(VERSION_LINE)) {
			throw invalid("its version line is not " + VERSION_LINE + " but an unsupported version");
		}
		List<Stanza> stanzas = new ArrayList<>();
		while (true) {
			int lineStart = lines.consumed();
			String line = lines.next();
			if (line == null) {
				throw invalid("it ends before its MAC line");
			}
			if (line.startsWith("-> ")) {
				stanzas.add(stanza(line, lines));
			}
			else if (line.startsWith("---")) {
				if (stanzas.isEmpty()) {
					throw invalid("it has no recipient stanza");
				}
				if (!line.startsWith("--- ") || line.length() != 4 + 43) {
					throw invalid("its MAC line is not '--- ' and 43 base64 characters");
				}
				byte[] mac = base64(line.substring(4));
				byte[] macInput = Arrays.copyOf(lines.bytes(), lineStart + 3);
				return new AgeHeader(List.copyOf(stanzas), macInput, mac);
			}
			else {
				throw invalid("a line starts with neither '-> ' nor '---'");
			}
		}
	}

	private static Stanza stanza(String line, LineReader lines) throws IOException {
		String[] args = line.substring(3).split(" ", -1);
		for (String arg : args) {
			if (arg.isEmpty() || !arg.chars().allMatch((c) -> c >= 0x21 && c <= 0x7e)) {
				throw invalid("a stanza has an empty argument or one with invalid characters");
			}
		}
		StringBuilder body = new StringBuilder();
		while (true) {
			String bodyLine = lines.next();
			if (bodyLine == null) {
				throw invalid("a stanza's body has no final line shorter than 64 columns");
			}
			if (bodyLine.length() > 64) {
				throw invalid("a stanza's body line is longer than 64 columns");
			}
			body.append(bodyLine);
			if (bodyLine.length() < 64) {
				break;
			}
		}
		return new Stanza(args[0], List.of(Arrays.copyOfRange(args, 1, args.length)), base64(body.toString()));
	}

	/** Decodes canonical unpadded base64, the only form age allows. */
	static byte[] base64(String text) throws AgeException {
		if (!text.chars().allMatch((c) -> Character.isLetterOrDigit(c) && c < 128 || c == '+' || c == '/')) {
			throw invalid("it holds base64 with invalid characters or padding");
		}
		byte[] decoded;
		try {
			decoded = DECODER.decode(text);
		}
		catch (IllegalArgumentException ex) {
			throw invalid("it holds invalid base64");
		}
		if (!ENCODER.encodeToString(decoded).equals(text)) {
			throw invalid("it holds non-canonical base64");
		}
		return decoded;
	}

	static String base64(byte[] bytes) {
		return ENCODER.encodeToString(bytes);
	}

	private static AgeException invalid(String reason) {
		return new AgeException(AgeException.Kind.HEADER, "Not a valid age header: " + reason);
	}

	/** Reads LF-terminated ASCII lines one byte at a time, keeping every byte for the MAC. */
	private static final class LineReader {

		private final InputStream in;

		private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

		LineReader(InputStream in) {
			this.in = in;
		}

		/** The next line without its LF, or {@code null} at the end of the stream. */
		String next() throws IOException {
			int start = this.bytes.size();
			while (true) {
				int b = this.in.read();
				if (b < 0) {
					if (this.bytes.size() > start) {
						throw invalid("it ends in the middle of a line");
					}
					return null;
				}
				if (b == '\n') {
					byte[] all = this.bytes.toByteArray();
					this.bytes.write(b);
					return new String(all, start, all.length - start, StandardCharsets.ISO_8859_1);
				}
				if (b < 0x20 || b > 0x7e) {
					throw invalid("it holds a byte that is not printable ASCII");
				}
				this.bytes.write(b);
				if (this.bytes.size() > MAX_HEADER_BYTES) {
					throw invalid("it is longer than " + MAX_HEADER_BYTES + " bytes");
				}
			}
		}

		int consumed() {
			return this.bytes.size();
		}

		byte[] bytes() {
			return this.bytes.toByteArray();
		}

	}

}
