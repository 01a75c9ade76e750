package dev.distillery.synth;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import net.sf.extjwnl.JWNLException;
import net.sf.extjwnl.data.IndexWord;
import net.sf.extjwnl.data.IndexWordSet;
import net.sf.extjwnl.data.Synset;
import net.sf.extjwnl.data.Word;
import net.sf.extjwnl.dictionary.Dictionary;

/**
 * Rule-based text augmentation after EDA (Wei and Zou, 2019): each candidate copies a random labeled
 * example and applies one operation to about {@code alpha} of its words: synonym replacement (WordNet 3.1
 * through extJWNL, offline), random insertion of a synonym, random swap, or random deletion. The label is
 * the source example's; whether the meaning survived is for the verifiers to judge.
 */
public final class TextAugmenter implements Generator<String> {
    private static volatile Dictionary wordNet;
    private static final Map<String, List<String>> SYNONYMS = new ConcurrentHashMap<>();

    private final double alpha;

    public TextAugmenter(double alpha) {
        if (!(alpha > 0 && alpha <= 0.5)) {
            throw new IllegalArgumentException("alpha must be in (0, 0.5], got: " + alpha);
        }
        this.alpha = alpha;
    }

    @Override
    public String name() {
        return "eda";
    }

    @Override
    public List<Candidate<String>> generate(List<String> examples, int[] labels, int n, Random rng) {
        if (examples.isEmpty()) {
            throw new IllegalArgumentException("text augmentation needs at least one labeled example");
        }
        List<Candidate<String>> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int src = rng.nextInt(examples.size());
            out.add(new Candidate<>(augment(examples.get(src), rng), labels[src], name()));
        }
        return out;
    }

    /** One EDA operation on {@code text}, chosen at random. */
    public String augment(String text, Random rng) {
        List<String> words = new ArrayList<>(List.of(text.trim().split("\\s+")));
        if (words.size() < 2) {
            return text;
        }
        int changes = Math.max(1, (int) Math.round(alpha * words.size()));
        switch (rng.nextInt(4)) {
            case 0 -> replaceWithSynonyms(words, changes, rng);
            case 1 -> insertSynonyms(words, changes, rng);
            case 2 -> {
                for (int k = 0; k < changes; k++) {
                    java.util.Collections.swap(words, rng.nextInt(words.size()), rng.nextInt(words.size()));
                }
            }
            default -> {
                List<String> kept = new ArrayList<>();
                for (String w : words) {
                    if (rng.nextDouble() >= alpha) {
                        kept.add(w);
                    }
                }
                words = kept.isEmpty() ? List.of(words.get(rng.nextInt(words.size()))) : kept;
            }
        }
        return String.join(" ", words);
    }

    private static void replaceWithSynonyms(List<String> words, int changes, Random rng) {
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < words.size(); i++) {
            order.add(i);
        }
        java.util.Collections.shuffle(order, rng);
        int done = 0;
        for (int i : order) {
            if (done == changes) {
                break;
            }
            List<String> syn = synonyms(words.get(i));
            if (!syn.isEmpty()) {
                words.set(i, syn.get(rng.nextInt(syn.size())));
                done++;
            }
        }
    }

    private static void insertSynonyms(List<String> words, int changes, Random rng) {
        for (int k = 0; k < changes; k++) {
            for (int tries = 0; tries < 10; tries++) {
                List<String> syn = synonyms(words.get(rng.nextInt(words.size())));
                if (!syn.isEmpty()) {
                    words.add(rng.nextInt(words.size() + 1), syn.get(rng.nextInt(syn.size())));
                    break;
                }
            }
        }
    }

    /** WordNet lemmas sharing a sense with {@code word} (any part of speech), excluding the word itself. */
    public static List<String> synonyms(String word) {
        String w = word.toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}'-]", "");
        if (w.length() < 3) {
            return List.of();
        }
        return SYNONYMS.computeIfAbsent(w, key -> {
            List<String> out = new ArrayList<>();
            try {
                IndexWordSet set = dictionary().lookupAllIndexWords(key);
                for (IndexWord iw : set.getIndexWordArray()) {
                    for (Synset s : iw.getSenses()) {
                        for (Word lemma : s.getWords()) {
                            String l = lemma.getLemma().replace('_', ' ');
                            if (!l.equalsIgnoreCase(key) && !out.contains(l)) {
                                out.add(l);
                            }
                        }
                    }
                }
            } catch (JWNLException e) {
                throw new IllegalStateException("WordNet lookup failed for '" + key + "': " + e.getMessage(), e);
            }
            return List.copyOf(out);
        });
    }

    private static Dictionary dictionary() throws JWNLException {
        Dictionary d = wordNet;
        if (d == null) {
            synchronized (TextAugmenter.class) {
                d = wordNet;
                if (d == null) {
                    d = Dictionary.getDefaultResourceInstance();
                    wordNet = d;
                }
            }
        }
        return d;
    }
}
