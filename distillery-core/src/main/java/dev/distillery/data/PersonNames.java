package dev.distillery.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/**
 * Tells a column of people's names ("Anna Kahn", "Kahn, Anna") in a table, which {@link PersonalData}'s text rules do
 * not find: read as categories, each name would become a model's feature name ("customer=Anna Kahn") and be kept in
 * its files, exports and reports. A column is one when its header names a person ({@code name}, {@code last_name},
 * {@code customerName}) and no value holds a digit, or, whatever its header, when most of its distinct values are
 * written as names and begin with a common given name (a list of about 400 in {@code given-names.txt}).
 */
final class PersonNames {
    /** Whose name a "..._name" header may be; "product_name", "city_name" and "file_name" are not people's. */
    private static final Set<String> PEOPLE = Set.of("first", "last", "full", "given", "family", "middle", "maiden", "sur",
            "fore", "customer", "client", "patient", "employee", "person", "contact", "user", "member", "owner", "applicant",
            "borrower", "holder", "cardholder", "student", "passenger", "driver", "beneficiary", "account", "guest", "buyer",
            "seller", "sender", "recipient", "doctor", "physician", "nurse", "manager", "agent", "my", "your");
    /** Headers that are a person's name in one word, in the languages of {@code given-names.txt}'s first lines. */
    private static final Set<String> ONE_WORD = Set.of("name", "names", "fullname", "firstname", "lastname", "surname",
            "forename", "givenname", "familyname", "username", "vorname", "nachname", "prenom", "nom", "nombre", "apellido",
            "apellidos", "cognome", "achternaam", "voornaam", "nazwisko", "imie");
    /** Titles before a name, lower case: passed over in a column's "Kahn, Mrs. Anna"; in text, what a name follows. */
    private static final Set<String> TITLES = Set.of("mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "herr", "frau", "mme",
            "mlle");
    private static final Set<String> GIVEN = load();
    /** The share of a column's distinct values that must read as names for the values alone to make it a name column. */
    private static final double SHARE = 0.5;
    /** Fewer names than this (two cities named after saints) do not make a column of them. */
    private static final int MIN_NAMES = 3;

    private PersonNames() {}

    /** Whether a column so headed holds people's names: {@code name}, {@code Last Name}, {@code customer_name}, {@code firstName}. */
    static boolean headerNamesAPerson(String header) {
        String[] words = header.strip().replaceAll("([a-z])([A-Z])", "$1 $2").toLowerCase(Locale.ROOT).split("[^\\p{L}0-9]+");
        int n = words.length;
        if (n == 1) {
            return ONE_WORD.contains(words[0]);
        }
        return (words[n - 1].equals("name") || words[n - 1].equals("names")) && PEOPLE.contains(words[n - 2]);
    }

    /**
     * Whether a column of these distinct values holds people's names: with a person's header, when none holds a digit;
     * without one, when at least half of them (and three) are written as a name beginning with a common given name.
     */
    static boolean holdsNames(boolean personHeader, Collection<String> distinct) {
        if (personHeader) {
            return !distinct.isEmpty() && distinct.stream().noneMatch(v -> v.chars().anyMatch(Character::isDigit));
        }
        long names = distinct.stream().filter(PersonNames::readsAsName).count();
        return names >= MIN_NAMES && names >= SHARE * distinct.size();
    }

    /**
     * "Anna Kahn", "Kahn, Anna", "Kahn, Mrs. Anna", "Jean-Luc Picard": two to five capitalized words of letters, the first
     * given name (after the comma when there is one, titles passed over) one of {@link #GIVEN}.
     */
    static boolean readsAsName(String value) {
        String v = value.strip();
        int comma = v.indexOf(',');
        String[] words = v.replace(",", " ").split("\\s+");
        if (words.length < 2 || words.length > 5) {
            return false;
        }
        for (String w : words) {
            if (!w.matches("\\p{Lu}[\\p{L}'.-]*")) {
                return false;
            }
        }
        String[] given = (comma >= 0 ? v.substring(comma + 1) : v).strip().split("\\s+");
        for (String w : given) {
            if (!isTitle(w.replace(".", ""))) {
                return isGivenName(w.split("-")[0]);
            }
        }
        return false;
    }

    /** Whether {@code word} ("Dr", "Mrs", without a point) is a title written before a person's name. */
    static boolean isTitle(String word) {
        return TITLES.contains(word.toLowerCase(Locale.ROOT));
    }

    /** Whether {@code word}, as written ("Anna", "Jürgen"), is one of the common given names. */
    static boolean isGivenName(String word) {
        if (GIVEN.contains(word)) {
            return true;
        }
        for (int i = 0; i < word.length(); i++) {
            if (word.charAt(i) >= 128) {
                return GIVEN.contains(stripAccents(word)); // "Jürgen" as "Jurgen"
            }
        }
        return false;
    }

    private static String stripAccents(String word) {
        return java.text.Normalizer.normalize(word, java.text.Normalizer.Form.NFD).replaceAll("\\p{M}", "");
    }

    private static Set<String> load() {
        Set<String> names = new HashSet<>();
        try (InputStream in = PersonNames.class.getResourceAsStream("given-names.txt");
                BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            reader.lines().filter(line -> !line.startsWith("#")).flatMap(line -> java.util.Arrays.stream(line.trim().split("\\s+")))
                    .filter(w -> !w.isEmpty()).forEach(names::add);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Set.copyOf(names);
    }
}
