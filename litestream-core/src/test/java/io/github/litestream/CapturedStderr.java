package io.github.litestream;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Captures what this JVM prints to {@code System.err} until closed, and still prints it: the
 * tests' slf4j-simple logger writes there, and so does a thread's default uncaught-exception
 * handler. Tests of a class run one at a time, so nothing else swaps the stream meanwhile.
 */
public final class CapturedStderr implements AutoCloseable {

	private final PrintStream original = System.err;

	private final ByteArrayOutputStream captured = new ByteArrayOutputStream();

	public CapturedStderr() {
		OutputStream tee = new OutputStream() {

			@Override
			public void write(int b) {
				synchronized (CapturedStderr.this.captured) {
					CapturedStderr.this.captured.write(b);
				}
				CapturedStderr.this.original.write(b);
			}

			@Override
			public void write(byte[] bytes, int offset, int length) {
				synchronized (CapturedStderr.this.captured) {
					CapturedStderr.this.captured.write(bytes, offset, length);
				}
				CapturedStderr.this.original.write(bytes, offset, length);
			}

		};
		System.setErr(new PrintStream(tee, true, StandardCharsets.UTF_8));
	}

	/**
	 * The lines printed so far.
	 * @return the lines
	 */
	public List<String> lines() {
		synchronized (this.captured) {
			return this.captured.toString(StandardCharsets.UTF_8).lines().toList();
		}
	}

	@Override
	public void close() {
		System.setErr(this.original);
	}

}
