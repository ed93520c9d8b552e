package io.copeplatform.review.console;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Geometry of the job page's chart, computed on the server so the page needs no chart library: agreement (0–100 %) per
 * iteration, one line for the binocular determinism of the policy wordings and one for the reviewers' agreement.
 */
public record AgreementChart(int width, int height, int left, int right, int top, int bottom, List<Tick> yTicks,
        List<Tick> xTicks, List<Point> determinism, List<Point> reviewers, String determinismPath,
        String reviewersPath) {

    /** An axis tick: its position, and where its label goes. */
    public record Tick(double x, double y, double labelX, double labelY, String label) {
    }

    /** A data point: position (and the corner of its square marker), iteration and value for its tooltip. */
    public record Point(double x, double y, double cornerX, double cornerY, int iteration, String value) {
        Point(double x, double y, int iteration, String value) {
            this(x, y, x - 4, y - 4, iteration, value);
        }
    }

    /** A value per iteration; null values are left out of the line. */
    public record Sample(int iteration, Double determinism, Double reviewers) {
    }

    static final int WIDTH = 640;
    static final int HEIGHT = 260;
    static final int LEFT = 48;
    static final int RIGHT = 16;
    static final int TOP = 16;
    static final int BOTTOM = 36;

    public static AgreementChart of(List<Sample> samples) {
        int plotWidth = WIDTH - LEFT - RIGHT;
        int plotHeight = HEIGHT - TOP - BOTTOM;
        List<Tick> yTicks = new ArrayList<>();
        for (int percent = 0; percent <= 100; percent += 25) {
            double y = y(percent / 100.0, plotHeight);
            yTicks.add(new Tick(LEFT, y, LEFT - 6, y + 4, percent + "%"));
        }
        List<Tick> xTicks = new ArrayList<>();
        List<Point> determinism = new ArrayList<>();
        List<Point> reviewers = new ArrayList<>();
        for (int i = 0; i < samples.size(); i++) {
            Sample s = samples.get(i);
            double x = samples.size() == 1
                    ? LEFT + plotWidth / 2.0
                    : LEFT + plotWidth * (double) i / (samples.size() - 1);
            xTicks.add(new Tick(x, HEIGHT - BOTTOM, x, HEIGHT - BOTTOM + 18, String.valueOf(s.iteration())));
            if (s.determinism() != null) {
                determinism.add(new Point(x, y(s.determinism(), plotHeight), s.iteration(), percent(s.determinism())));
            }
            if (s.reviewers() != null) {
                reviewers.add(new Point(x, y(s.reviewers(), plotHeight), s.iteration(), percent(s.reviewers())));
            }
        }
        return new AgreementChart(WIDTH, HEIGHT, LEFT, RIGHT, TOP, BOTTOM, yTicks, xTicks, determinism, reviewers,
                path(determinism), path(reviewers));
    }

    public int plotRight() {
        return width - right;
    }

    public int plotBottom() {
        return height - bottom;
    }

    public int captionY() {
        return height - 2;
    }

    public static String percent(double value) {
        return String.format(Locale.ROOT, "%.1f%%", value * 100);
    }

    private static double y(double value, int plotHeight) {
        double clamped = Math.max(0, Math.min(1, value));
        return TOP + plotHeight * (1 - clamped);
    }

    private static String path(List<Point> points) {
        StringBuilder d = new StringBuilder();
        for (Point p : points) {
            d.append(d.length() == 0 ? "M" : " L").append(String.format(Locale.ROOT, "%.1f %.1f", p.x(), p.y()));
        }
        return d.toString();
    }
}
