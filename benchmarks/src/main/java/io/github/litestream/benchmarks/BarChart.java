package io.github.litestream.benchmarks;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import javax.imageio.ImageIO;

/**
 * A horizontal bar chart written as a PNG with the JDK's own 2D graphics (headless): one bar
 * per variant, baselines in grey, and the target as a dashed line.
 */
final class BarChart {

	private static final int WIDTH = 900;

	private static final int BAR_HEIGHT = 26;

	private static final int GAP = 10;

	private static final int LABEL_WIDTH = 260;

	private static final int TOP = 50;

	private static final Color BASELINE = new Color(0x9e9e9e);

	private static final Color MET = new Color(0x2e7d32);

	private static final Color MISSED = new Color(0xc62828);

	private final String title;

	private final String unit;

	private final List<Bar> bars = new ArrayList<>();

	private Double target;

	private String targetLabel;

	private boolean higherIsBetter = true;

	BarChart(String title, String unit) {
		this.title = title;
		this.unit = unit;
	}

	BarChart baseline(String label, double value) {
		this.bars.add(new Bar(label, value, true));
		return this;
	}

	BarChart bar(String label, double value) {
		this.bars.add(new Bar(label, value, false));
		return this;
	}

	/** A target line; bars at or beyond it (above, or below when lower is better) are green. */
	BarChart target(double value, String label, boolean higherIsBetter) {
		this.target = value;
		this.targetLabel = label;
		this.higherIsBetter = higherIsBetter;
		return this;
	}

	void write(Path file) throws IOException {
		System.setProperty("java.awt.headless", "true");
		int height = TOP + this.bars.size() * (BAR_HEIGHT + GAP) + 40;
		BufferedImage image = new BufferedImage(WIDTH, height, BufferedImage.TYPE_INT_RGB);
		Graphics2D g = image.createGraphics();
		try {
			g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
			g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
			g.setColor(Color.WHITE);
			g.fillRect(0, 0, WIDTH, height);
			g.setColor(Color.BLACK);
			g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
			g.drawString(this.title, 12, 26);
			double max = this.bars.stream().mapToDouble(Bar::value).max().orElse(1);
			if (this.target != null) {
				max = Math.max(max, this.target);
			}
			max *= 1.15;
			int plotWidth = WIDTH - LABEL_WIDTH - 30;
			g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
			FontMetrics metrics = g.getFontMetrics();
			int y = TOP;
			for (Bar bar : this.bars) {
				int length = (int) Math.round(bar.value() / max * plotWidth);
				g.setColor(bar.baseline() ? BASELINE : colorOf(bar.value()));
				g.fillRect(LABEL_WIDTH, y, Math.max(length, 1), BAR_HEIGHT);
				g.setColor(Color.BLACK);
				int textY = y + (BAR_HEIGHT + metrics.getAscent()) / 2 - 2;
				g.drawString(bar.label(), LABEL_WIDTH - 8 - metrics.stringWidth(bar.label()), textY);
				g.drawString(Report.format(bar.value()) + " " + this.unit, LABEL_WIDTH + length + 6, textY);
				y += BAR_HEIGHT + GAP;
			}
			if (this.target != null) {
				int x = LABEL_WIDTH + (int) Math.round(this.target / max * plotWidth);
				g.setColor(Color.BLACK);
				g.setStroke(new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10, new float[] { 6, 4 },
						0));
				g.drawLine(x, TOP - 8, x, y - GAP + 8);
				String label = String.format(Locale.ROOT, "%s (%s %s)", this.targetLabel, Report.format(this.target),
						this.unit);
				g.drawString(label, Math.min(x + 4, WIDTH - metrics.stringWidth(label) - 4), y + 16);
			}
		}
		finally {
			g.dispose();
		}
		ImageIO.write(image, "png", file.toFile());
	}

	private Color colorOf(double value) {
		if (this.target == null) {
			return MET;
		}
		boolean met = this.higherIsBetter ? value >= this.target : value <= this.target;
		return met ? MET : MISSED;
	}

	private record Bar(String label, double value, boolean baseline) {
	}

}
