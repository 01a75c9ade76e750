package dev.distillery.data;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A table cell's number as spreadsheets and accounting exports write it: plain ({@code 41000.5}), with a decimal comma
 * where cells are separated by semicolons or tabs ({@code 41000,50}), or formatted, with a currency symbol, thousands
 * separators or a percent sign ({@code $32,611}, {@code 1.250,00 €}, {@code 63%}). A formatted cell reads as the number
 * it shows, a percentage as its fraction ({@code 63%} as 0.63, so a column mixing {@code 0.63} and {@code 63%} reads
 * one scale). Negative numbers also as accounting exports write them: in parentheses ({@code (1,200.50)}), with a
 * trailing minus (SAP's {@code 1.200,50-}) or the typographic minus sign ({@code −5}). Anything else is not a number: no
 * guess at what {@code 1,5} in a comma-separated file meant.
 */
final class NumberCells {
    private NumberCells() {}

    /** A number with a decimal comma ("41000,50"), as spreadsheets in locales that separate CSV cells by semicolons write it. */
    private static final Pattern DECIMAL_COMMA = Pattern.compile("[-+]?\\d*,\\d+([eE][-+]?\\d+)?");

    /**
     * "1.250", "12.000", "1.250.000": points before groups of three digits. In a decimal-comma file the points group
     * thousands (German exports), unless the column writes decimals with a point elsewhere ({@link #hasDecimalPoint}).
     */
    private static final Pattern POINT_GROUPS = Pattern.compile("[-+\u2212]?[1-9]\\d{0,2}(?:\\.\\d{3})+");

    /** "2.5", "0.750", "1234.5": a decimal point that no grouping of thousands explains. */
    private static final Pattern POINT_DECIMAL = Pattern.compile("[-+]?\\d*\\.\\d+(?:[eE][-+]?\\d+)?");

    private static final String CURRENCY = "(?:[$€£¥₹]|USD|EUR|GBP|CHF)";

    /** Decimal point; thousands grouped by commas (or not grouped): "$32,611.50", "-1,200", "12.5%". */
    private static final Pattern FORMATTED_POINT = formatted("\\d{1,3}(?:,\\d{3})+|\\d+", "\\.");

    /** Decimal comma; thousands grouped by points, spaces or apostrophes: "1.250,00 €", "32 611", "1'250". */
    private static final Pattern FORMATTED_COMMA = formatted("\\d{1,3}(?:[. \u00A0\u202F']\\d{3})+|\\d+", ",");

    private static Pattern formatted(String whole, String decimal) {
        return Pattern.compile("(?<sign>[-+\u2212]?)\\s*(?<before>" + CURRENCY + ")?\\s*(?<sign2>[-+\u2212]?)(?<whole>" + whole
                + ")(?:" + decimal + "(?<fraction>\\d+))?\\s*(?<after>" + CURRENCY + ")?\\s*(?<percent>%)?");
    }

    /** Whether {@code cell} reads as a finite number, plain or formatted, as {@link #parse} reads it. */
    static boolean isNumber(String cell, boolean decimalComma) {
        if (cell.chars().noneMatch(c -> c >= '0' && c <= '9')) {
            return false; // a word: no parse, and no exception thrown for every category cell of a large table
        }
        try {
            return Float.isFinite(parse(cell, decimalComma));
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** Whether {@code cell}'s points may group thousands ("1.250"), which a decimal-comma file's column decides. */
    static boolean pointsMayGroup(String cell) {
        return cell.indexOf('.') >= 0 && POINT_GROUPS.matcher(cell).matches();
    }

    /** Whether {@code cell} is a number with a decimal point that cannot be a grouping of thousands ("2.5", "0.750"). */
    static boolean hasDecimalPoint(String cell) {
        return cell.indexOf('.') >= 0 && POINT_DECIMAL.matcher(cell).matches() && !POINT_GROUPS.matcher(cell).matches();
    }

    /**
     * {@code cell}'s number in a column whose points group thousands ({@code pointsGroup}: a decimal-comma file's column
     * without a decimal point anywhere, so "1.250" is 1250), else as {@link #parse(String, boolean)} reads it.
     */
    static float parse(String cell, boolean decimalComma, boolean pointsGroup) {
        return decimalComma && pointsGroup && pointsMayGroup(cell) ? formatted(cell, true) : parse(cell, decimalComma);
    }

    /**
     * {@code cell}'s number, plain or formatted.
     *
     * @throws NumberFormatException if the cell is no number in either form
     */
    static float parse(String cell, boolean decimalComma) {
        try {
            return plain(cell, decimalComma);
        } catch (NumberFormatException e) {
            Float value = formatted(cell, decimalComma);
            if (value == null) {
                throw e;
            }
            return value;
        }
    }

    /**
     * {@code cell}'s number as {@link Float#parseFloat} reads it; where the file's cells are separated by semicolons or
     * tabs ({@code decimalComma}), with a comma as the decimal separator: a comma cannot be a thousands separator there
     * without being ambiguous.
     *
     * @throws NumberFormatException if the cell is no plain number
     */
    static float plain(String cell, boolean decimalComma) {
        return Float.parseFloat(decimalComma && DECIMAL_COMMA.matcher(cell).matches() ? cell.replace(',', '.') : cell);
    }

    /** The number a formatted cell shows, or null if it is not one (a plain number is not "formatted"). */
    static Float formatted(String cell, boolean decimalComma) {
        java.math.BigDecimal value = formattedDecimal(cell, decimalComma);
        return value == null ? null : value.floatValue();
    }

    /**
     * {@code cell} as a plain number with a decimal point, exactly ("820,97" -> "820.97", "1.250,00 €" -> "1250.00",
     * "63%" -> "0.63", and "1.250" -> "1250" where {@code pointsGroup}), a plain number as it is; null where it is no
     * number. What a file of another form (JSON Lines)
     * needs to read the cell as this file's rules read it.
     */
    static String plainDecimal(String cell, boolean decimalComma, boolean pointsGroup) {
        if (decimalComma && pointsGroup && pointsMayGroup(cell)) {
            return formattedDecimal(cell, true).toPlainString();
        }
        if (decimalComma && DECIMAL_COMMA.matcher(cell).matches()) {
            return cell.replace(',', '.');
        }
        if (!isNumber(cell, decimalComma)) {
            return null;
        }
        try {
            Float.parseFloat(cell);
            return cell;
        } catch (NumberFormatException e) {
            return formattedDecimal(cell, decimalComma).toPlainString();
        }
    }

    private static java.math.BigDecimal formattedDecimal(String cell, boolean decimalComma) {
        String c = cell.strip();
        boolean accountingNegative = false;
        if (c.length() > 2 && c.startsWith("(") && c.endsWith(")")) {
            c = c.substring(1, c.length() - 1).strip(); // (1,200.50): an accountant's negative
            accountingNegative = true;
        } else if (c.length() > 1 && c.endsWith("-") && Character.isDigit(c.charAt(c.length() - 2))) {
            c = c.substring(0, c.length() - 1); // 1.200,50-: SAP's negative
            accountingNegative = true;
        }
        Matcher m = (decimalComma ? FORMATTED_COMMA : FORMATTED_POINT).matcher(c);
        if (!m.matches() || m.group("before") != null && m.group("after") != null
                || !m.group("sign").isEmpty() && !m.group("sign2").isEmpty()
                || accountingNegative && !(m.group("sign") + m.group("sign2")).isEmpty()) {
            return null;
        }
        boolean symbol = m.group("before") != null || m.group("after") != null || m.group("percent") != null;
        boolean grouped = m.group("whole").chars().anyMatch(ch -> !Character.isDigit(ch));
        boolean typographicMinus = (m.group("sign") + m.group("sign2")).equals("\u2212");
        if (!symbol && !grouped && !accountingNegative && !typographicMinus) {
            return null; // digits alone that Float.parseFloat refused: not a form this reads
        }
        String digits = m.group("whole").replaceAll("\\D", "")
                + (m.group("fraction") != null ? "." + m.group("fraction") : "");
        java.math.BigDecimal value = new java.math.BigDecimal(digits);
        if (accountingNegative || !(m.group("sign") + m.group("sign2")).isEmpty() && !(m.group("sign") + m.group("sign2")).equals("+")) {
            value = value.negate();
        }
        return m.group("percent") != null ? value.movePointLeft(2) : value;
    }
}
