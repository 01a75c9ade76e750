package dev.distillery.data;

import dev.distillery.util.Listing;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * The one check of input data against the schema a model was trained on, used by every command that feeds records to
 * a model (train's test and extra data, eval, predict, distill, label, synth). A record of the wrong kind, with the
 * wrong number of features or, where labels are read, with a label the model does not know is bad input: one
 * {@link DataFormatException} naming the data, the record and what the model expects, never a wrong answer or a
 * stack trace later.
 */
public final class InputCheck {
    private InputCheck() {}

    /** What labels the caller reads: {@code eval} and training need known labels; {@code predict} ignores them. */
    public enum Labels { MUST_BE_KNOWN, IGNORED }

    /** {@code data} under the model's schema (its label order), after checking every record against it. */
    public static Dataset conform(Dataset data, Schema model, Labels labels) {
        return conform(data, model, labels, null);
    }

    /**
     * {@link #conform}, where {@code unseenCategories} is not null reading a category the model was never trained on as
     * none of its column's categories, as a missing value is, and saying so there once, with the values and how many
     * records hold each: for labeled data a model is scored on (train's test file, eval), where a value the training
     * part never held is what a test measures. {@code data split} of a table with a column of many values put some of
     * them in the test part alone, and training with that test part failed.
     */
    public static Dataset conform(Dataset data, Schema model, Labels labels, Consumer<String> unseenCategories) {
        data = byName(data, model, unseenCategories);
        checkRecords(data.name(), data.examples(), model, labels);
        if (labels == Labels.IGNORED && data.examples().stream().anyMatch(e -> e.hasLabel() && !model.labels().contains(e.label().get()))) {
            // Labels the model does not know cannot live under its schema; predict reads them only to echo them.
            return data;
        }
        return data.withSchema(model);
    }

    /**
     * {@code data}'s features in the model's column order, where both name their columns (CSV headers): a file whose
     * columns came in another order was read by position, and every answer was silently wrong. Columns the model needs
     * and the data lacks, or the data has and the model never saw, are an error that names them.
     */
    public static Dataset byName(Dataset data, Schema model) {
        return byName(data, model, null);
    }

    /** {@link #byName}, unseen categories read as none where {@code unseenCategories} takes word of them (see {@link #conform}). */
    private static Dataset byName(Dataset data, Schema model, Consumer<String> unseenCategories) {
        List<String> want = model.featureNames();
        List<String> have = sameCategoriesAs(data.schema().featureNames(), want);
        if (want.isEmpty() || have.isEmpty() || want.equals(have)) {
            return have.equals(data.schema().featureNames()) ? data : data.withSchema(data.schema().withFeatureNames(have));
        }
        // A category column's 0/1 features ("region=north") are named by the values the file holds: a value the model
        // knows but this file lacks is a feature that is 0 on every row; a value the model never saw has no feature.
        java.util.Set<String> categoryColumns = have.stream().map(CsvFormat::categoryOf).filter(java.util.Objects::nonNull)
                .collect(java.util.stream.Collectors.toSet());
        List<String> unseen = have.stream().filter(n -> !want.contains(n) && CsvFormat.categoryOf(n) != null
                && want.stream().anyMatch(w -> CsvFormat.categoryOf(n).equals(CsvFormat.categoryOf(w)))).toList();
        if (!unseen.isEmpty() && unseenCategories == null) {
            throw unseenCategory(data, have, want, CsvFormat.categoryOf(unseen.get(0)), unseen);
        }
        if (!unseen.isEmpty()) {
            for (String column : new java.util.TreeSet<>(unseen.stream().map(CsvFormat::categoryOf).toList())) {
                unseenCategories.accept("warning: " + unseenWarning(data, have, column, unseen));
            }
        }
        List<String> missing = Schema.columnsOf(want.stream().filter(n -> !have.contains(n)
                && !(CsvFormat.categoryOf(n) != null && categoryColumns.contains(CsvFormat.categoryOf(n)))).toList());
        List<String> unknown = Schema.columnsOf(have.stream().filter(n -> !want.contains(n) && !unseen.contains(n)).toList());
        if (!missing.isEmpty() || !unknown.isEmpty()) {
            String problem = (missing.isEmpty() ? "" : "lacks column" + (missing.size() > 1 ? "s " : " ") + quoted(missing))
                    + (missing.isEmpty() || unknown.isEmpty() ? "" : " and ")
                    + (unknown.isEmpty() ? "" : "has column" + (unknown.size() > 1 ? "s " : " ") + quoted(unknown)
                    + " the model was not trained on");
            List<String> columns = Schema.columnsOf(want);
            throw new DataFormatException(data.name(), problem, "the " + (columns.size() == 1 ? "column" : columns.size() + " columns")
                    + " the model was trained on, in any order: " + Schema.describeColumns(want));
        }
        int[] from = want.stream().mapToInt(have::indexOf).toArray(); // -1: a category this file does not hold
        List<Example> reordered = new java.util.ArrayList<>(data.size());
        for (Example e : data.examples()) {
            float[] in = e.features();
            float[] out = new float[from.length];
            for (int i = 0; i < from.length; i++) {
                out[i] = from[i] < 0 ? 0f : in[from[i]];
            }
            reordered.add(Example.denseOwned(e.id(), out, e.label().orElse(null), e.source()));
        }
        // as wide as the model's features: a file may hold fewer of a column's categories than the training file did
        Schema schema = Schema.dense(List.of((long) want.size()), data.schema().labels()).withFeatureNames(want);
        return new Dataset(data.name(), schema, reordered);
    }

    /**
     * The error for values of category {@code column} the model never saw: it names the first record holding one, as
     * every bad-input error does, and how many records hold each, so one stray value reads differently from a category
     * the model was never trained on. {@code have} names {@code data}'s features; {@code unseen} holds the bad ones.
     */
    private static DataFormatException unseenCategory(Dataset data, List<String> have, List<String> want, String column,
            List<String> unseen) {
        List<String> values = unseen.stream().filter(n -> column.equals(CsvFormat.categoryOf(n))).toList();
        Map<String, Long> holding = new TreeMap<>();
        Example first = null;
        String firstValue = values.get(0).substring(column.length() + 1);
        for (Example e : data.examples()) {
            for (String n : values) {
                if (e.features()[have.indexOf(n)] != 0f) {
                    String value = n.substring(column.length() + 1);
                    holding.merge(value, 1L, Long::sum);
                    if (first == null) {
                        first = e;
                        firstValue = value;
                    }
                }
            }
        }
        return new DataFormatException(first == null ? data.name() : recordLocation(data.name(), first), "column '" + column
                + "' holds '" + firstValue + "', a category the model was not trained on" + (holding.isEmpty() ? "" : inAll(holding)),
                "one of " + want.stream().filter(w -> column.equals(CsvFormat.categoryOf(w)))
                        .map(w -> w.substring(column.length() + 1)).toList());
    }

    /** The word on values of category {@code column} the model never saw, read as none of its categories. */
    private static String unseenWarning(Dataset data, List<String> have, String column, List<String> unseen) {
        Map<String, Long> holding = new TreeMap<>();
        for (String n : unseen.stream().filter(n -> column.equals(CsvFormat.categoryOf(n))).toList()) {
            long records = data.examples().stream().filter(e -> e.features()[have.indexOf(n)] != 0f).count();
            holding.put(n.substring(column.length() + 1), records);
        }
        long records = holding.values().stream().mapToLong(Long::longValue).sum();
        return String.format("%s: column '%s' holds %d value%s the model was not trained on, on %d record%s%s: each read as none"
                        + " of its categories, as a missing value is (the figures include them so)", data.name(), column,
                holding.size(), holding.size() == 1 ? "" : "s", records, records == 1 ? "" : "s", inAll(holding));
    }

    /** " (in all: 'a' on 2 records, 'b' on 1 record)": how many records hold each value, the first five named. */
    private static String inAll(Map<String, Long> records) {
        return " (in all: " + records.entrySet().stream().limit(5).map(r -> "'" + r.getKey() + "' on " + r.getValue() + " record"
                + (r.getValue() == 1 ? "" : "s")).collect(Collectors.joining(", ")) + (records.size() > 5 ? ", ..." : "") + ")";
    }

    /** Where a record is, for an error: "new.csv: record line-7", with its source file where that is another. */
    private static String recordLocation(String where, Example e) {
        return where + ": record " + e.id() + (e.source().isEmpty() || where.endsWith(e.source()) ? "" : " (" + e.source() + ")");
    }

    /**
     * {@code have}'s category features named as the model's where they differ only in case: pandas writes a boolean
     * column True/False, a JSON file true/false, and one export 'Retail' where another has 'retail'. A value is renamed
     * only where the model's column has exactly one value equal to it but for case, and the file has no other value
     * that would take the same name; anything else stays, to be refused by name as a category the model never saw.
     */
    public static List<String> sameCategoriesAs(List<String> have, List<String> want) {
        List<String> out = new java.util.ArrayList<>(have);
        for (int i = 0; i < out.size(); i++) {
            String name = out.get(i);
            String column = CsvFormat.categoryOf(name);
            if (column == null || want.contains(name)) {
                continue;
            }
            List<String> alike = want.stream().filter(w -> column.equals(CsvFormat.categoryOf(w)) && w.equalsIgnoreCase(name)).toList();
            if (alike.size() == 1 && !out.contains(alike.get(0))) {
                out.set(i, alike.get(0));
            }
        }
        return out;
    }

    private static String quoted(List<String> names) {
        return Listing.firstQuoted(names, 20);
    }

    /**
     * The records of {@code data} that have a label, for a use that needs one ({@code purpose}: "scored" for test data,
     * "used" for a pool whose labels are bought). Those without cannot be used so; their number goes to {@code log}
     * ("2 of 122 records of test.jsonl have no label and are not scored"), never dropped unsaid.
     */
    public static Dataset labeledOnly(Dataset data, String purpose, Consumer<String> log) {
        Dataset labeled = data.filter(data.name(), Example::hasLabel);
        int unlabeled = data.size() - labeled.size();
        if (unlabeled > 0) {
            log.accept(String.format("%,d of %,d records of %s have no label and are not %s", unlabeled, data.size(),
                    data.name(), purpose));
        }
        return labeled;
    }

    /**
     * The labeled records of {@code data} ({@code where}: the file or part they come from), to score a model of
     * {@code schema} on: those without a label are counted to {@code log}, and where none has one the data is refused
     * before any training, not after it as "cannot evaluate zero examples".
     */
    public static Dataset scored(Dataset data, String where, Schema schema, Consumer<String> log) {
        Dataset labeled = labeledOnly(data, "scored", log);
        if (labeled.isEmpty()) {
            String problem = data.isEmpty() ? "holds no records"
                    : "none of its " + data.size() + " records has a label" + labelColumnOf(schema);
            throw new DataFormatException(where, problem,
                    "labeled test data to score the model on (to label new data with a trained model, use distillery predict)");
        }
        return labeled;
    }

    /**
     * Where a model of {@code schema} reads labels, for an error about a file that has none: " (labels are read from the
     * column or key 'queue'; --label-column names another)".
     */
    public static String labelColumnOf(Schema schema) {
        return " (labels are read from the column or key '" + schema.columns().label() + "'; --label-column names another)";
    }

    /**
     * A warning when one class is rare beside another (at most a fifth as common, and under a tenth of the labels): fraud
     * among payments, a fault among parts. Accuracy then mostly counts the common class, so the warning says what always
     * answering it scores and what to judge by instead.
     */
    public static Optional<String> imbalance(Dataset data) {
        Map<String, Integer> counts = data.labelCounts();
        long labeled = counts.values().stream().mapToLong(Integer::longValue).sum();
        if (counts.size() < 2 || labeled == 0) {
            return Optional.empty();
        }
        Map.Entry<String, Integer> rare = counts.entrySet().stream().min(Map.Entry.comparingByValue()).orElseThrow();
        Map.Entry<String, Integer> common = counts.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow();
        if (rare.getValue() * 5L > common.getValue() || rare.getValue() * 10L >= labeled) {
            return Optional.empty();
        }
        return Optional.of(String.format(Locale.ROOT, "warning: the classes are imbalanced: '%s' is %.1f%% of the %,d labeled records,"
                + " '%s' %.1f%%; always answering '%s' scores %.3f accuracy, so judge the model by macro-F1 and the rare"
                + " class's recall", rare.getKey(), 100.0 * rare.getValue() / labeled, labeled, common.getKey(),
                100.0 * common.getValue() / labeled, common.getKey(), common.getValue() / (double) labeled));
    }

    /** Fewest labeled records for {@link #notClasses} to judge by. */
    static final int CLASSES_JUDGED_FROM = 20;

    /**
     * Refuses labels that are not classes: where most labeled records carry a label no other record has, or the labels are
     * more than {@value #CLASSES_JUDGED_FROM} numbers, most of them on a single record or most with a fractional part, the
     * column holds numbers to predict (prices, wages, ages: a regression target), ids or free text, and training would
     * fail later on a split that cannot hold every label, or learn nothing. The error says which and what to do instead.
     */
    public static void notClasses(Dataset data, String where, String labelColumn) {
        Map<String, Long> counts = data.examples().stream().filter(Example::hasLabel)
                .collect(Collectors.groupingBy(e -> e.label().get(), TreeMap::new, Collectors.counting()));
        long labeled = counts.values().stream().mapToLong(Long::longValue).sum();
        List<String> once = counts.entrySet().stream().filter(e -> e.getValue() == 1).map(Map.Entry::getKey).toList();
        if (labeled < CLASSES_JUDGED_FROM) {
            return;
        }
        boolean numbers = counts.keySet().stream().allMatch(InputCheck::isNumber);
        String examples = once.stream().limit(3).map(l -> "'" + l + "'").collect(Collectors.joining(", "));
        String problem;
        if (2 * once.size() > labeled) {
            problem = String.format("its labels look like %s, not classes: %,d of its %,d labeled records have a label no other"
                    + " record has (%s, ...)", numbers ? "numbers to predict" : "ids or free text", once.size(), labeled, examples);
        } else if (numbers && counts.size() > CLASSES_JUDGED_FROM && 2 * once.size() > counts.size()) {
            // Measured amounts rounded to cents or whole years repeat (a wage of 5.00 on many records), so fewer than half
            // of the records are alone; most of the values still are, which no set of classes does.
            problem = String.format("its labels look like numbers to predict, not classes: %,d different numbers on its %,d labeled"
                    + " records, %,d of them on a single record (%s, ...)", counts.size(), labeled, once.size(), examples);
        } else if (numbers && counts.size() > CLASSES_JUDGED_FROM && 2 * fractions(counts.keySet()) > counts.size()) {
            // Classes coded as numbers are whole numbers; dozens of values most of them with fractions (0.2434782, 1.3999996:
            // statsmodels' affairs per year) are a measured amount, even where a few values are common (0 on 68%).
            problem = String.format("its labels look like numbers to predict, not classes: %,d different numbers on its %,d labeled"
                    + " records, %,d of them with a fractional part (%s, ...)", counts.size(), labeled,
                    fractions(counts.keySet()), counts.keySet().stream().filter(l -> !isWhole(l)).limit(3)
                            .map(l -> "'" + l + "'").collect(Collectors.joining(", ")));
        } else {
            return;
        }
        throw new DataFormatException(where, problem, numbers
                ? "classes, each on several records: Distillery trains classifiers; to predict a number, bin it into classes"
                + " first (such as low, medium, high)"
                : "classes, each on several records; is '" + labelColumn + "' the column that holds them? (--label-column names"
                + " another)");
    }

    private static long fractions(java.util.Collection<String> numbers) {
        return numbers.stream().filter(l -> !isWhole(l)).count();
    }

    private static boolean isWhole(String number) {
        double x = Double.parseDouble(number.strip());
        return x == Math.rint(x);
    }

    private static boolean isNumber(String s) {
        try {
            return Double.isFinite(Double.parseDouble(s.strip()));
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** Share of texts of one word at most from which a model that reads whole words is warned of. */
    static final double ONE_WORD_SHARE = 0.9;

    /**
     * A warning where nearly all of {@code examples}' texts are one word (a name, a dictionary word, a Chinese clause
     * without punctuation): the n-gram model reads whole words and word pairs, so a word it never saw in training tells
     * it nothing, and it answers such texts from its bias. On the AFINN word list it answered the commonest sentiment
     * for every word (0.635), where the linear model's character grams read 0.85.
     */
    public static Optional<String> wholeWordsWarning(List<Example> examples) {
        List<Example> texts = examples.stream().filter(Example::isText).toList();
        long oneWord = texts.stream().filter(e -> words(e.text()) <= 1).count();
        if (texts.isEmpty() || oneWord < ONE_WORD_SHARE * texts.size()) {
            return Optional.empty();
        }
        return Optional.of(String.format(Locale.ROOT, "warning: %,d of %,d training texts (%.0f%%) are a single word; the n-gram model"
                + " reads whole words, so a word it has not seen tells it nothing: the linear model reads their characters too"
                + " (--model linear, or the default --model auto)", oneWord, texts.size(), 100.0 * oneWord / texts.size()));
    }

    /** How many words {@code text} holds, counting no further than two. */
    private static int words(String text) {
        int words = 0;
        boolean inWord = false;
        for (int i = 0; i < text.length() && words < 2; i++) {
            boolean letter = Character.isLetterOrDigit(text.charAt(i));
            words += letter && !inWord ? 1 : 0;
            inWord = letter;
        }
        return words;
    }

    /**
     * How many of {@code examples} are texts with nothing but white space: a text model reads no words in them and
     * answers from its bias alone, so train and predict warn with this count.
     */
    public static int blankTexts(List<Example> examples) {
        return (int) examples.stream().filter(e -> e.isText() && e.text().isBlank()).count();
    }

    /**
     * A warning when some of {@code labels} differ only in case or in white space around them ("spam", "spam ",
     * "Spam"): each is a class of its own, which is rarely what a spreadsheet export with a stray space meant.
     */
    public static Optional<String> lookAlikeLabels(Collection<String> labels) {
        Map<String, List<String>> byKey = labels.stream().distinct()
                .collect(Collectors.groupingBy(InputCheck::lookAlikeKey, TreeMap::new, Collectors.toList()));
        List<String> groups = byKey.values().stream().filter(g -> g.size() > 1)
                .map(g -> g.stream().map(l -> "'" + l + "'").collect(Collectors.joining(", "))).toList();
        if (groups.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of("warning: labels " + Listing.firstOf(groups, 5, "; ") + " differ only in case or surrounding white space,"
                + " so each is a class of its own; if they mean one class, write them the same in the data");
    }

    /** What joins tags into one label, as a spreadsheet or a ticket system exports several: "billing;shipping". */
    private static final List<String> TAG_SEPARATORS = List.of(";", "|", ",", "+");

    /**
     * A warning when labels are lists of other labels ("billing;shipping" beside "billing" and "shipping"): records
     * tagged with several classes, each combination of which becomes a class of its own, learned from its few records
     * alone. Distillery trains one label a record, so a user with tags should know before reading the figures.
     */
    public static Optional<String> labelLists(Map<String, Integer> labelCounts) {
        for (String separator : TAG_SEPARATORS) {
            Map<String, Integer> lists = new TreeMap<>();
            labelCounts.forEach((label, n) -> {
                List<String> parts = java.util.Arrays.stream(label.split(java.util.regex.Pattern.quote(separator)))
                        .map(String::strip).toList();
                if (parts.size() >= 2 && parts.stream().allMatch(labelCounts::containsKey)) {
                    lists.put(label, n);
                }
            });
            if (!lists.isEmpty()) {
                int records = lists.values().stream().mapToInt(Integer::intValue).sum();
                return Optional.of(String.format(Locale.ROOT, "warning: %d label%s %s lists of other labels joined by '%s' (%s), on"
                        + " %,d record%s: each list is trained as a class of its own, as every record has one label here; for"
                        + " tags, give each record its one main label, or train one model per tag with yes/no labels",
                        lists.size(), lists.size() == 1 ? "" : "s", lists.size() == 1 ? "is" : "are", separator,
                        Listing.firstOf(lists.entrySet().stream().map(e -> "'" + e.getKey() + "' on " + e.getValue()).toList(), 3,
                                ", "), records, records == 1 ? "" : "s"));
            }
        }
        return Optional.empty();
    }

    /** Labels that differ only in case or surrounding white space share this key. */
    private static String lookAlikeKey(String label) {
        return label.strip().toLowerCase(Locale.ROOT);
    }

    /** " (did you mean 'malignant'?)" when {@code label} differs from one the model knows only by case or spaces. */
    private static String meant(String label, List<String> known) {
        return known.stream().filter(k -> lookAlikeKey(k).equals(lookAlikeKey(label))).findFirst()
                .map(k -> " (did you mean '" + k + "'?)").orElse("");
    }

    /**
     * A warning when labeled {@code examples} carry labels {@code model} does not know. {@code predict} reads such labels
     * only to echo them beside its answer, where they can never match it: a file labeled "1"/"2" for a model of
     * "ham"/"spam" is most often the wrong model or the wrong column, which otherwise shows only as every answer wrong.
     */
    public static Optional<String> unknownLabels(List<Example> examples, Schema model) {
        List<Example> labeled = examples.stream().filter(Example::hasLabel).toList();
        List<String> unknown = labeled.stream().map(e -> e.label().get()).filter(l -> !model.labels().contains(l)).toList();
        if (unknown.isEmpty()) {
            return Optional.empty();
        }
        List<String> distinct = unknown.stream().distinct().sorted().toList();
        String named = Listing.firstQuoted(distinct, 5);
        return Optional.of(String.format("warning: %,d of %,d labeled records carry labels the model does not know (%s;"
                + " it knows %s), so their true_label can never match its answer: is this the right model for this data?",
                unknown.size(), labeled.size(), named, model.labels()));
    }

    /** Checks each of {@code examples}, read from {@code where}, against {@code model}; the first bad record throws. */
    public static void checkRecords(String where, List<Example> examples, Schema model, Labels labels) {
        for (Example e : examples) {
            String record = recordLocation(where, e);
            if (!e.isText() && model.kind() == Schema.Kind.TEXT) {
                // a file without the model's text column is read as a table: name the column, not the features it became
                throw new DataFormatException(record, "has no text under '" + model.columns().text() + "' (it holds "
                        + e.featureLength() + " numeric features)", "the text to classify under '" + model.columns().text()
                        + "', the column or key the model was trained to read");
            }
            if (e.isText() != (model.kind() == Schema.Kind.TEXT)) {
                throw new DataFormatException(record, e.isText() ? "is text" : "has " + e.featureLength() + " numeric features",
                        describe(model) + ", as the model was trained on");
            }
            if (!e.isText() && e.featureLength() != model.featureSize()) {
                throw new DataFormatException(record, "has " + e.featureLength() + " features",
                        describe(model) + ", as the model was trained on");
            }
            if (!e.isText()) {
                float[] v = e.features();
                for (int f = 0; f < v.length; f++) {
                    if (Float.isNaN(v[f])) { // MissingValues fills what the model has values for: this one it has none for
                        throw new DataFormatException(record, "column '" + model.featureName(f) + "' has no value",
                                "a number: the model has no value to fill in for it");
                    }
                }
            }
            if (labels == Labels.MUST_BE_KNOWN && e.hasLabel() && !model.labels().contains(e.label().get())) {
                // the first such record, with how many there are in all: one stray label or a class the model never saw
                Map<String, Long> unknown = examples.stream().filter(x -> x.hasLabel() && !model.labels().contains(x.label().get()))
                        .collect(Collectors.groupingBy(x -> x.label().get(), java.util.TreeMap::new, Collectors.counting()));
                throw new DataFormatException(record, "label '" + e.label().get() + "' is not one the model knows"
                        + meant(e.label().get(), model.labels()) + inAll(unknown), "one of " + model.labels());
            }
        }
    }

    /**
     * The input a schema expects, in words: "text", "64 numeric features (shape [1, 8, 8])" or "2 numeric features
     * (columns age, income)".
     */
    public static String describe(Schema model) {
        if (model.kind() == Schema.Kind.TEXT) {
            return "text";
        }
        String shape = model.featureShape().size() > 1 ? " (shape " + model.featureShape() + ")" : "";
        // by column, a category column with its values: "columns age, income, segment (premium, retail, sme)"
        String names = model.featureNames().isEmpty() ? "" : " (columns " + Schema.describeColumns(model.featureNames(), "") + ")";
        return model.featureSize() + " numeric features" + shape + names;
    }
}
