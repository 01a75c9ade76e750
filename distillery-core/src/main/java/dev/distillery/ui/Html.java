package dev.distillery.ui;

import java.util.List;
import java.util.Map;

/** Server-rendered HTML: every page works without JavaScript; scripts only draw charts and apply live updates. */
final class Html {
    private Html() {}

    static String esc(Object o) {
        String s = String.valueOf(o);
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;").replace("'", "&#39;");
    }

    /** A whole page: the navigation, {@code body}, the vendored chart library and the page script (no inline script runs). */
    static String page(String title, String body) {
        return "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + esc(title) + " · Distillery</title>"
                + "<link rel=\"stylesheet\" href=\"/ui/vendor/uPlot.min.css\"><link rel=\"stylesheet\" href=\"/ui/app.css\">"
                + "<link rel=\"icon\" href=\"data:,\"></head><body><nav><a href=\"/\">Runs</a> <a href=\"/recipes\">Recipes</a> "
                + "<a href=\"/projects\">Labeling</a></nav><main><h1>" + esc(title) + "</h1>" + body + "</main>"
                + "<script src=\"/ui/vendor/uPlot.iife.min.js\"></script><script src=\"/ui/app.js\"></script></body></html>";
    }

    /** A table with a header row; cells are HTML already escaped by the caller. */
    static String table(String id, List<String> header, List<List<String>> rows) {
        StringBuilder sb = new StringBuilder("<table" + (id == null ? "" : " id=\"" + esc(id) + "\"") + "><thead><tr>");
        header.forEach(h -> sb.append("<th>").append(esc(h)).append("</th>"));
        sb.append("</tr></thead><tbody>");
        for (List<String> row : rows) {
            sb.append("<tr>");
            row.forEach(c -> sb.append("<td>").append(c).append("</td>"));
            sb.append("</tr>");
        }
        return sb.append("</tbody></table>").toString();
    }

    /** A chart the page script draws with uPlot: series over x, as JSON data the browser reads but never executes. */
    static String chart(String id, String title, String xLabel, double[] x, Map<String, double[]> series) {
        StringBuilder json = new StringBuilder("{\"title\":").append(jsonString(title)).append(",\"x\":").append(jsonString(xLabel))
                .append(",\"data\":[").append(numbers(x));
        StringBuilder names = new StringBuilder();
        series.forEach((name, y) -> {
            json.append(',').append(numbers(y));
            names.append(names.isEmpty() ? "" : ",").append(jsonString(name));
        });
        json.append("],\"series\":[").append(names).append("]}");
        return "<div class=\"chart\" data-chart=\"" + esc(id) + "\"></div><script type=\"application/json\" id=\"" + esc(id) + "\">"
                + json.toString().replace("</", "<\\/") + "</script>";
    }

    private static String numbers(double[] v) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < v.length; i++) {
            sb.append(i == 0 ? "" : ",").append(Double.isFinite(v[i]) ? Double.toString(v[i]) : "null");
        }
        return sb.append(']').toString();
    }

    static String jsonString(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '<' -> sb.append("\\u003c");
                default -> sb.append(c < 0x20 ? String.format("\\u%04x", (int) c) : String.valueOf(c));
            }
        }
        return sb.append('"').toString();
    }

    /** A number as a person reads it: integers with separators, fractions to 4 significant digits. */
    static String number(Object v) {
        if (!(v instanceof Number n)) {
            return v == null ? "" : esc(v);
        }
        double d = n.doubleValue();
        return d == Math.rint(d) && (Math.abs(d) >= 1 || d == 0) ? String.format("%,.0f", d) : String.format("%.4g", d);
    }
}
