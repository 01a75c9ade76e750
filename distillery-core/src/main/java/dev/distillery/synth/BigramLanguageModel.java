package dev.distillery.synth;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A word bigram language model over a fixed vocabulary: the smallest model in which the collapse literature's
 * mechanism, the loss of the distribution's tails under finite resampling, can be watched directly. It samples
 * only what it has seen (lambda * bigram + (1 - lambda) * unigram, maximum likelihood), and scores with an
 * add-one floor on the unigram so a word it has lost costs much but not infinitely.
 */
public final class BigramLanguageModel {
    static final String END = "</s>";
    static final String UNK = "<unk>";

    private final Map<String, Integer> vocab;
    private final List<String> words;
    private final double lambda;
    private final long[] unigram;
    private final long unigramTotal;
    private final Map<Integer, int[]> nextWords = new HashMap<>();
    private final Map<Integer, long[]> nextCumulative = new HashMap<>();
    private final Map<Long, Integer> bigram = new HashMap<>();
    private final long[] startCount;
    private final long startTotal;
    private final long[] unigramCumulative;

    private BigramLanguageModel(Map<String, Integer> vocab, List<String> words, double lambda, List<int[]> sequences) {
        this.vocab = vocab;
        this.words = words;
        this.lambda = lambda;
        int v = words.size();
        unigram = new long[v];
        startCount = new long[v];
        long total = 0;
        Map<Integer, Map<Integer, Integer>> follow = new HashMap<>();
        for (int[] s : sequences) {
            int prev = -1;
            for (int w : s) {
                unigram[w]++;
                total++;
                if (prev < 0) {
                    startCount[w]++;
                } else {
                    follow.computeIfAbsent(prev, k -> new HashMap<>()).merge(w, 1, Integer::sum);
                    bigram.merge(((long) prev << 32) | w, 1, Integer::sum);
                }
                prev = w;
            }
        }
        unigramTotal = total;
        startTotal = Arrays.stream(startCount).sum();
        unigramCumulative = new long[v];
        long c = 0;
        for (int i = 0; i < v; i++) {
            c += unigram[i];
            unigramCumulative[i] = c;
        }
        follow.forEach((w1, next) -> {
            int[] ws = new int[next.size()];
            long[] cum = new long[next.size()];
            long run = 0;
            int k = 0;
            for (Map.Entry<Integer, Integer> e : new java.util.TreeMap<>(next).entrySet()) {
                ws[k] = e.getKey();
                run += e.getValue();
                cum[k++] = run;
            }
            nextWords.put(w1, ws);
            nextCumulative.put(w1, cum);
        });
    }

    /** The vocabulary: words seen at least {@code minCount} times in {@code texts}, plus the unknown word and the end mark. */
    public static Map<String, Integer> vocabulary(List<String> texts, int maxWords, int minCount) {
        Map<String, Integer> counts = new HashMap<>();
        for (String t : texts) {
            for (String w : tokens(t, maxWords)) {
                counts.merge(w, 1, Integer::sum);
            }
        }
        Map<String, Integer> vocab = new java.util.LinkedHashMap<>();
        vocab.put(UNK, 0);
        vocab.put(END, 1);
        counts.entrySet().stream().filter(e -> e.getValue() >= minCount).map(Map.Entry::getKey).sorted()
                .forEach(w -> vocab.putIfAbsent(w, vocab.size()));
        return vocab;
    }

    static List<String> tokens(String text, int maxWords) {
        List<String> w = Verifiers.words(text);
        return w.size() > maxWords ? w.subList(0, maxWords) : w;
    }

    /** Fits counts of {@code texts} (their first {@code maxWords} words each, then the end mark). */
    public static BigramLanguageModel fit(List<String> texts, Map<String, Integer> vocab, int maxWords, double lambda) {
        List<String> words = new ArrayList<>(Arrays.asList(new String[vocab.size()]));
        vocab.forEach((w, i) -> words.set(i, w));
        List<int[]> seqs = new ArrayList<>(texts.size());
        for (String t : texts) {
            seqs.add(encode(t, vocab, maxWords));
        }
        return new BigramLanguageModel(vocab, words, lambda, seqs);
    }

    static int[] encode(String text, Map<String, Integer> vocab, int maxWords) {
        List<String> toks = tokens(text, maxWords);
        int[] s = new int[toks.size() + 1];
        for (int i = 0; i < toks.size(); i++) {
            s[i] = vocab.getOrDefault(toks.get(i), 0);
        }
        s[toks.size()] = 1;
        return s;
    }

    /** Log probability (natural) of word {@code w} after {@code prev} (-1: at the start). */
    double logProb(int prev, int w) {
        double uni = (unigram[w] + 1.0) / (unigramTotal + words.size());
        double p;
        if (prev < 0) {
            p = startTotal == 0 ? uni : lambda * startCount[w] / (double) startTotal + (1 - lambda) * uni;
        } else {
            long from = unigram[prev];
            Integer c = bigram.get(((long) prev << 32) | w);
            p = from == 0 ? uni : lambda * (c == null ? 0 : c) / (double) from + (1 - lambda) * uni;
        }
        return Math.log(p);
    }

    /** Per-word perplexity of {@code texts} (end marks included). */
    public double perplexity(List<String> texts, int maxWords) {
        double nll = 0;
        long n = 0;
        for (String t : texts) {
            int[] s = encode(t, vocab, maxWords);
            int prev = -1;
            for (int w : s) {
                nll -= logProb(prev, w);
                n++;
                prev = w;
            }
        }
        return Math.exp(nll / Math.max(1, n));
    }

    /** Per-word perplexity of one text. */
    public double perplexity(String text, int maxWords) {
        return perplexity(List.of(text), maxWords);
    }

    /** {@code n} texts of at most {@code maxWords} words, each drawn word by word from what the model has seen. */
    public List<String> sample(int n, int maxWords, Random rng) {
        List<String> out = new ArrayList<>(n);
        long[] startCum = new long[startCount.length];
        long c = 0;
        for (int i = 0; i < startCount.length; i++) {
            c += startCount[i];
            startCum[i] = c;
        }
        for (int k = 0; k < n; k++) {
            StringBuilder sb = new StringBuilder();
            int prev = startTotal == 0 ? draw(unigramCumulative, rng) : draw(startCum, rng);
            for (int len = 0; len < maxWords && prev != 1; len++) {
                sb.append(sb.length() == 0 ? "" : " ").append(words.get(prev));
                int[] next = nextWords.get(prev);
                prev = next != null && rng.nextDouble() < lambda ? next[draw(nextCumulative.get(prev), rng)] : draw(unigramCumulative, rng);
            }
            out.add(sb.toString());
        }
        return out;
    }

    private static int draw(long[] cumulative, Random rng) {
        long total = cumulative[cumulative.length - 1];
        long r = (long) (rng.nextDouble() * total);
        int i = Arrays.binarySearch(cumulative, r + 1);
        return i >= 0 ? firstAt(cumulative, i) : -i - 1;
    }

    private static int firstAt(long[] cumulative, int i) {
        while (i > 0 && cumulative[i - 1] == cumulative[i]) {
            i--;
        }
        return i;
    }

    /** Words of the vocabulary the model has seen at least once: what is left of the tails. */
    public int wordsSeen() {
        int n = 0;
        for (long u : unigram) {
            if (u > 0) {
                n++;
            }
        }
        return n;
    }
}
