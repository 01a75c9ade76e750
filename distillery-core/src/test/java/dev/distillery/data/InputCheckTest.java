package dev.distillery.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class InputCheckTest {
    @Test
    void recordsWithoutALabelAreLeftOutOfScoringAndCounted() {
        Dataset data = Dataset.infer("test.jsonl", List.of(Example.text("a", "one", "x", "f"), Example.text("b", "two", null, "f"),
                Example.text("c", "three", "y", "f"), Example.text("d", "four", null, "f")), null);
        List<String> said = new ArrayList<>();
        Dataset scored = InputCheck.labeledOnly(data, "scored", said::add);
        assertThat(scored.examples()).extracting(Example::id).containsExactly("a", "c");
        assertThat(said).containsExactly("2 of 4 records of test.jsonl have no label and are not scored");

        said.clear();
        assertThat(InputCheck.labeledOnly(scored, "scored", said::add).size()).isEqualTo(2);
        assertThat(said).as("nothing left out, nothing said").isEmpty();
    }

    private static Dataset labeled(List<String> labels) {
        List<Example> examples = new ArrayList<>();
        for (int i = 0; i < labels.size(); i++) {
            examples.add(Example.dense("r" + i, new float[] {i}, labels.get(i), "f"));
        }
        return Dataset.infer("data.csv", examples, null);
    }

    @Test
    void labelsThatAreNumbersToPredictOrIdsAreRefusedAsNotClasses() {
        List<String> prices = new ArrayList<>();
        List<String> names = new ArrayList<>();
        List<String> classes = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            prices.add(String.format(java.util.Locale.ROOT, "%.1f", 1000 + 37.3 * i));
            names.add("customer-" + i);
            classes.add(i < 14 ? "rare-" + i : i % 2 == 0 ? "a" : "b"); // 14 of 30 once: fewer than half
        }
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> InputCheck.notClasses(labeled(prices), "prices.csv", "label"))
                .isInstanceOf(DataFormatException.class).hasMessageContaining("prices.csv: its labels look like numbers to predict")
                .hasMessageContaining("30 of its 30 labeled records").hasMessageContaining("bin it into classes");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> InputCheck.notClasses(labeled(names), "people.csv", "name"))
                .hasMessageContaining("look like ids or free text").hasMessageContaining("is 'name' the column that holds them");
        InputCheck.notClasses(labeled(classes), "data.csv", "label");
        // wages rounded to the cent repeat, so most records share their value, yet most of the values are on one record
        List<String> wages = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            wages.add(i < 25 ? String.format(java.util.Locale.ROOT, "%.2f", 3.35 + i * 0.37) : String.valueOf(4 + i % 5));
        }
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> InputCheck.notClasses(labeled(wages), "wages.csv", "wage"))
                .hasMessageContaining("look like numbers to predict").hasMessageContaining("30 different numbers on its 60 labeled records,"
                        + " 25 of them on a single record");
        List<String> codes = new ArrayList<>(); // 30 numbered classes, most on a few records: classes, whatever they are named
        for (int i = 0; i < 60; i++) {
            codes.add(String.valueOf(i < 10 ? 100 + i : 200 + i % 20));
        }
        InputCheck.notClasses(labeled(codes), "codes.csv", "code");
        InputCheck.notClasses(labeled(prices.subList(0, 19)), "few.csv", "label"); // too few to judge
        // statsmodels' affairs per year: 0 on most records, 24 other values each on several, all with fractions
        List<String> rates = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            rates.add(i < 120 ? "0" : String.format(java.util.Locale.ROOT, "%.7f", 0.1 + (i % 24) / 7.0));
        }
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> InputCheck.notClasses(labeled(rates), "fair.csv", "affairs"))
                .hasMessageContaining("look like numbers to predict").hasMessageContaining("25 different numbers on its 200 labeled"
                        + " records, 24 of them with a fractional part ('0.1000000', ").hasMessageContaining("bin it into classes");
        List<String> halfStars = new ArrayList<>(); // ratings in half stars: few values, classes
        for (int i = 0; i < 200; i++) {
            halfStars.add(String.valueOf(0.5 * (1 + i % 10)));
        }
        InputCheck.notClasses(labeled(halfStars), "ratings.csv", "stars");
    }

    @Test
    void aModelOfWholeWordsIsWarnedOfTextsThatAreSingleWords() {
        List<Example> words = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            words.add(Example.text("w" + i, i == 0 ? "cool stuff" : "word" + (char) ('a' + i % 26), i % 2 == 0 ? "pos" : "neg", "afinn"));
        }
        assertThat(InputCheck.wholeWordsWarning(words)).hasValueSatisfying(w -> assertThat(w)
                .startsWith("warning: 39 of 40 training texts (98%) are a single word").contains("--model linear"));
        List<Example> sentences = new ArrayList<>(words.subList(0, 30));
        for (int i = 0; i < 10; i++) {
            sentences.add(Example.text("s" + i, "a sentence of several words", "pos", "mail"));
        }
        assertThat(InputCheck.wholeWordsWarning(sentences)).isEmpty(); // 29 of 40: a mix, not a list of words
    }

    @Test
    void labelsThatListOtherLabelsAreSaidToBeTrainedAsClassesOfTheirOwn() {
        Map<String, Integer> tagged = new java.util.TreeMap<>(Map.of("billing", 40, "shipping", 30, "refund", 20,
                "billing;shipping", 4, "refund; billing", 2));
        assertThat(InputCheck.labelLists(tagged)).hasValueSatisfying(w -> assertThat(w).contains("2 labels are lists of other"
                + " labels joined by ';' ('billing;shipping' on 4, 'refund; billing' on 2), on 6 records", "train one model per tag"));
        // a class whose name holds a separator is no list: its parts are no labels
        assertThat(InputCheck.labelLists(Map.of("radio/tv", 5, "Washington, DC", 3, "New York", 4, "C++", 2, "Java", 3))).isEmpty();
        assertThat(InputCheck.labelLists(Map.of("a", 5, "b", 3))).isEmpty();
    }

    @Test
    void labelsThatDifferOnlyInCaseOrSpacesAreNamedTogether() {
        assertThat(InputCheck.lookAlikeLabels(List.of("ham", "spam", "spam ", "Spam", "Ham", "other"))).hasValueSatisfying(w ->
                assertThat(w).contains("'ham', 'Ham'; 'spam', 'spam ', 'Spam'").doesNotContain("other"));
        assertThat(InputCheck.lookAlikeLabels(List.of("a", "b", "ab"))).isEmpty();
        List<String> upperAndLower = java.util.stream.IntStream.range(10, 58) // a spreadsheet with 48 classes, a tenth upper case
                .boxed().flatMap(i -> java.util.stream.Stream.of("intent_" + i, "INTENT_" + i)).toList();
        assertThat(InputCheck.lookAlikeLabels(upperAndLower)).hasValueSatisfying(w -> assertThat(w)
                .contains("'intent_10', 'INTENT_10'; ", "'intent_14', 'INTENT_14' and 43 more differ").doesNotContain("intent_15"));
    }

    @Test
    void labelsTheModelDoesNotKnowAreCountedAndNamed() {
        Schema model = Dataset.infer("train", List.of(Example.text("a", "one", "ham", "f"), Example.text("b", "two", "spam", "f")),
                null).schema();
        List<Example> input = List.of(Example.text("1", "x", "1", "f"), Example.text("2", "y", "2", "f"),
                Example.text("3", "z", "spam", "f"), Example.text("4", "w", null, "f"));
        assertThat(InputCheck.unknownLabels(input, model)).hasValueSatisfying(w -> assertThat(w)
                .contains("2 of 3 labeled records", "'1', '2'", "[ham, spam]").doesNotContain("'spam'"));
        assertThat(InputCheck.unknownLabels(input.subList(2, 4), model)).as("known labels and none: nothing to say").isEmpty();
        List<Example> many = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            many.add(Example.text("m" + i, "t", "label" + i, "f"));
        }
        assertThat(InputCheck.unknownLabels(many, model)).hasValueSatisfying(w -> assertThat(w).contains("and 3 more"));
        // where labels must be known (eval), the refusal names the first record and counts them all
        List<Example> newClass = List.of(Example.text("1", "x", "spam", "f"), Example.text("2", "y", "phishing", "f"),
                Example.text("3", "z", "phishing", "f"), Example.text("4", "w", "scam", "f"));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> InputCheck.checkRecords("new.jsonl", newClass, model,
                InputCheck.Labels.MUST_BE_KNOWN)).hasMessageContaining("record 2 (f): label 'phishing' is not one the model knows")
                .hasMessageContaining("in all: 'phishing' on 2 records, 'scam' on 1 record").hasMessageContaining("[ham, spam]")
                .hasMessageNotContaining("did you mean");
        // a label written in another case or with spaces around it is most likely the known one
        List<Example> shouted = List.of(Example.text("1", "x", "spam", "f"), Example.text("2", "y", " Spam", "f"));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> InputCheck.checkRecords("new.jsonl", shouted, model,
                InputCheck.Labels.MUST_BE_KNOWN)).hasMessageContaining("label ' Spam' is not one the model knows (did you mean"
                        + " 'spam'?)");
    }

    @Test
    void recordsWithoutTheTextColumnOfATextModelAreRefusedByThatColumnsName() {
        Schema model = Dataset.infer("train", List.of(Example.text("a", "one", "ham", "f"), Example.text("b", "two", "spam", "f")),
                null).schema().withColumns(new ColumnNames("team", "description"));
        List<Example> table = List.of(Example.dense("1", new float[] {1, 2, 3}, "ham", "f"));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> InputCheck.checkRecords("tickets.csv", table, model,
                InputCheck.Labels.IGNORED)).hasMessageContaining("has no text under 'description' (it holds 3 numeric features)")
                .hasMessageContaining("expected the text to classify under 'description'");
    }

    @Test
    void schemasSavedBeforeFeatureNamesReadAsUnnamedAndUnnamedOnesAreSavedAsBefore() throws Exception {
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        Schema old = json.readValue("{\"kind\":\"DENSE\",\"featureShape\":[2],\"labels\":[\"a\",\"b\"]}", Schema.class);
        assertThat(old.featureNames()).isEmpty();
        assertThat(json.writeValueAsString(old)).doesNotContain("featureNames");
        Schema named = old.withFeatureNames(List.of("x", "y"));
        assertThat(json.readValue(json.writeValueAsString(named), Schema.class)).isEqualTo(named);
    }

    @Test
    void namedColumnsAreReadByNameAndUnnamedOnesByPosition() {
        Schema model = Schema.dense(List.of(3L), List.of("a", "b")).withFeatureNames(List.of("x", "y", "z"));
        Dataset shuffled = Dataset.infer("new.csv", List.of(Example.dense("r1", new float[] {3, 1, 2}, "a", "f")), null);
        Dataset named = shuffled.withSchema(shuffled.schema().withFeatureNames(List.of("z", "x", "y")));
        assertThat(InputCheck.conform(named, model, InputCheck.Labels.MUST_BE_KNOWN).get(0).features()).containsExactly(1f, 2f, 3f);
        assertThat(InputCheck.conform(shuffled, model, InputCheck.Labels.MUST_BE_KNOWN).get(0).features())
                .as("no names in the data: by position").containsExactly(3f, 1f, 2f);
        Dataset other = shuffled.withSchema(shuffled.schema().withFeatureNames(List.of("z", "x", "w")));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> InputCheck.conform(other, model, InputCheck.Labels.IGNORED))
                .isInstanceOf(DataFormatException.class)
                .hasMessageContaining("new.csv: lacks column 'y' and has column 'w' the model was not trained on");
    }

    @Test
    void aCategoryTheFileLacksIsZeroAndOneTheModelNeverSawIsNamed() {
        Schema model = Schema.dense(List.of(3L), List.of("a", "b")).withFeatureNames(List.of("age", "region=north", "region=south"));
        Dataset fewer = Dataset.infer("new.csv", List.of(Example.dense("r1", new float[] {1, 30}, null, "f")), null);
        Dataset named = fewer.withSchema(fewer.schema().withFeatureNames(List.of("region=south", "age")));
        Dataset read = InputCheck.conform(named, model, InputCheck.Labels.IGNORED);
        assertThat(read.get(0).features()).containsExactly(30f, 0f, 1f);
        assertThat(read.schema().featureNames()).isEqualTo(model.featureNames());

        Dataset east = fewer.withSchema(fewer.schema().withFeatureNames(List.of("age", "region=east")));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> InputCheck.conform(east, model, InputCheck.Labels.IGNORED))
                .hasMessageContaining("new.csv: record r1 (f): column 'region' holds 'east', a category the model was not trained on")
                .hasMessageContaining("one of [north, south]");
    }

    @Test
    void anUnseenCategoryNamesTheFirstRecordHoldingItAndHowManyDo() {
        Schema model = Schema.dense(List.of(3L), List.of("a", "b")).withFeatureNames(List.of("age", "city=Paris", "city=Rome"));
        // columns age, city=Oslo, city=Paris, city=Lima: line-2 Paris, line-3 Lima, line-4 Oslo, line-5 Lima
        Dataset file = Dataset.infer("new.csv", List.of(
                Example.dense("line-2", new float[] {30, 0, 1, 0}, null, "new.csv"),
                Example.dense("line-3", new float[] {40, 0, 0, 1}, null, "new.csv"),
                Example.dense("line-4", new float[] {50, 1, 0, 0}, null, "new.csv"),
                Example.dense("line-5", new float[] {60, 0, 0, 1}, null, "new.csv")), null);
        Dataset named = file.withSchema(file.schema().withFeatureNames(List.of("age", "city=Oslo", "city=Paris", "city=Lima")));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> InputCheck.conform(named, model, InputCheck.Labels.IGNORED))
                .hasMessageContaining("new.csv: record line-3: column 'city' holds 'Lima', a category the model was not trained on"
                        + " (in all: 'Lima' on 2 records, 'Oslo' on 1 record)")
                .hasMessageContaining("one of [Paris, Rome]");

        // data a model is scored on reads them as none of the column's categories, as a missing value, and says so once
        List<String> said = new java.util.ArrayList<>();
        Dataset scored = InputCheck.conform(named, model, InputCheck.Labels.IGNORED, said::add);
        assertThat(scored.schema().featureNames()).isEqualTo(model.featureNames());
        assertThat(scored.get(0).features()).containsExactly(30f, 1f, 0f);
        assertThat(scored.get(1).features()).containsExactly(40f, 0f, 0f);
        assertThat(said).singleElement().asString().contains("new.csv: column 'city' holds 2 values the model was not trained on,"
                + " on 3 records (in all: 'Lima' on 2 records, 'Oslo' on 1 record): each read as none of its categories");
    }

    @Test
    void aCategoryThatDiffersOnlyInCaseIsTheModelsOneUnlessThatIsAmbiguous() {
        // a CSV's True/False (pandas) against a JSON file's true/false, 'Retail' against 'retail'
        Schema model = Schema.dense(List.of(3L), List.of("a", "b")).withFeatureNames(List.of("score", "vip=False", "vip=True"));
        Dataset json = Dataset.infer("new.jsonl", List.of(Example.dense("r1", new float[] {0.5f, 0, 1}, null, "f")), null);
        Dataset read = InputCheck.conform(json.withSchema(json.schema().withFeatureNames(List.of("score", "vip=false", "vip=true"))),
                model, InputCheck.Labels.IGNORED);
        assertThat(read.get(0).features()).containsExactly(0.5f, 0f, 1f);
        // the model knows both spellings: no guess, the file's value is refused by name
        Schema both = Schema.dense(List.of(3L), List.of("a", "b")).withFeatureNames(List.of("x", "kind=Retail", "kind=RETAIL"));
        Dataset retail = Dataset.infer("new.csv", List.of(Example.dense("r1", new float[] {1, 1}, null, "f")), null);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> InputCheck.conform(
                        retail.withSchema(retail.schema().withFeatureNames(List.of("x", "kind=retail"))), both, InputCheck.Labels.IGNORED))
                .hasMessageContaining("column 'kind' holds 'retail', a category the model was not trained on");
        assertThat(InputCheck.sameCategoriesAs(List.of("vip=false", "vip=FALSE"), model.featureNames()))
                .as("two values of the file would become one: the second stays").containsExactly("vip=False", "vip=FALSE");
    }

    @Test
    void aModelsInputIsDescribedByItsColumnsACategoryWithItsValues() {
        Schema model = Schema.dense(List.of(4L), List.of("a", "b")).withFeatureNames(List.of("age", "segment=retail", "segment=sme", "income"));
        assertThat(InputCheck.describe(model)).isEqualTo("4 numeric features (columns age, segment (retail, sme), income)");
    }

    @Test
    void aMissingOrUnknownCategoryColumnIsNamedAsTheFileNamesIt() {
        Schema model = Schema.dense(List.of(4L), List.of("a", "b"))
                .withFeatureNames(List.of("age", "region=north", "region=south", "income"));
        Dataset noRegion = Dataset.infer("new.csv", List.of(Example.dense("r1", new float[] {30, 1, 0}, null, "f")), null);
        Dataset named = noRegion.withSchema(noRegion.schema().withFeatureNames(List.of("age", "job=nurse", "job=clerk")));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> InputCheck.conform(named, model, InputCheck.Labels.IGNORED))
                .hasMessageContaining("new.csv: lacks columns 'region', 'income' and has column 'job' the model was not trained on")
                .hasMessageContaining("the 3 columns the model was trained on, in any order: 'age', 'region' (north, south), 'income'")
                .hasMessageNotContaining("region=");
    }
}
