package dev.distillery.util;

import java.util.List;

/** Lists in messages: a warning that names 48 label pairs or 300 columns one by one is read by nobody. */
public final class Listing {
    private Listing() {}

    /**
     * The first {@code limit} of {@code items} joined by {@code separator}, then how many more there are: {@code "'a',
     * 'b' and 3 more"}.
     */
    public static String firstOf(List<String> items, int limit, String separator) {
        return String.join(separator, items.subList(0, Math.min(limit, items.size())))
                + (items.size() > limit ? " and " + (items.size() - limit) + " more" : "");
    }

    /**
     * {@code value} as a message shows it: whole up to {@code limit} characters, else its start and how long it is ("'The
     * legislation continuing...' (912 characters)" for a passage), so an error about one cell stays one readable line.
     */
    public static String clipped(String value, int limit) {
        if (value.length() <= limit) {
            return "'" + value + "'";
        }
        int end = Character.isHighSurrogate(value.charAt(limit - 1)) ? limit - 1 : limit;
        return "'" + value.substring(0, end) + "...' (" + value.length() + " characters)";
    }

    /** {@link #firstOf} of the items each in single quotes, separated by commas. */
    public static String firstQuoted(List<String> items, int limit) {
        return firstOf(items.stream().map(i -> "'" + i + "'").toList(), limit, ", ");
    }
}
