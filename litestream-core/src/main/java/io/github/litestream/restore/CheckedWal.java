package io.github.litestream.restore;

import java.util.Arrays;

import io.github.litestream.sqlite.WalFrameHeader;
import io.github.litestream.sqlite.WalHeader;
import io.github.litestream.sqlite.WalScanner;

/**
 * An index's WAL after its check: where its committed frames end, and which frame holds the
 * last version of each page there, in page order. Applying those pages alone is what SQLite's
 * checkpoint does: a page the index rewrote goes out once, and neighbouring pages go out in one
 * write.
 * @param scan what the check found
 * @param latestFrames one entry per page: the page number in the high 32 bits, the number of the
 * frame holding its last committed version in the low ones; sorted
 */
record CheckedWal(WalScanner.WalScan scan, long[] latestFrames) {

	/** The page number of an entry of {@link #latestFrames()}. */
	static int pageNumber(long entry) {
		return (int) (entry >>> 32);
	}

	/** Where the frame of an entry of {@link #latestFrames()} starts in the WAL. */
	static long frameOffset(long entry, int frameSize) {
		return WalHeader.SIZE + (entry & 0xffffffffL) * frameSize;
	}

	/**
	 * Collects the page numbers of checked frames, as a scan hands them over.
	 */
	static final class Pages implements WalScanner.VerifiedFrames {

		private final int frameSize;

		private long[] entries = new long[1024];

		private int count;

		Pages(int frameSize) {
			this.frameSize = frameSize;
		}

		@Override
		public void frames(byte[] buffer, int offset, int length, long walOffset) {
			for (int at = offset; at < offset + length; at += this.frameSize) {
				if (this.count == this.entries.length) {
					this.entries = Arrays.copyOf(this.entries, this.count * 2);
				}
				int pageNumber = WalFrameHeader.parse(buffer, at).pageNumber();
				long frame = (walOffset + at - offset - WalHeader.SIZE) / this.frameSize;
				this.entries[this.count++] = ((long) pageNumber << 32) | frame;
			}
		}

		/**
		 * The last frame of each page among the frames before {@code end}, sorted by page.
		 * @param end where the committed frames end
		 * @return the entries, as {@link CheckedWal#latestFrames()} holds them
		 */
		long[] latestBefore(long end) {
			long frames = (end - WalHeader.SIZE) / this.frameSize;
			long[] kept = new long[this.count];
			int n = 0;
			for (int i = 0; i < this.count; i++) {
				if ((this.entries[i] & 0xffffffffL) < frames) {
					kept[n++] = this.entries[i];
				}
			}
			Arrays.sort(kept, 0, n);
			int unique = 0;
			for (int i = 0; i < n; i++) {
				if (i + 1 == n || pageNumber(kept[i]) != pageNumber(kept[i + 1])) {
					kept[unique++] = kept[i];
				}
			}
			return Arrays.copyOf(kept, unique);
		}

	}

}
