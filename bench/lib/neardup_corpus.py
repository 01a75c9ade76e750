#!/usr/bin/env python3
"""Writes a corpus with planted near-duplicates (JSON Lines: id, text) and its exact ground truth.

Ground truth: every pair of documents whose word-5-gram sets (lower-cased words, as distillery's MinHash shingles them)
have Jaccard similarity >= the threshold. Pairs that share no 5-gram have similarity 0, so comparing every pair that
shares one (through an inverted index) is exact.
"""
import argparse, json, random
from collections import defaultdict


def shingles(words, k=5):
    if len(words) < k:
        return {" ".join(words)}
    return {" ".join(words[i:i + k]) for i in range(len(words) - k + 1)}


def variant(words, rng):
    rate = rng.choice([0.005, 0.01, 0.02, 0.03, 0.04, 0.05, 0.07, 0.1])
    out = []
    for w in words:
        x = rng.random()
        if x < rate / 3:
            continue                                  # delete
        if x < 2 * rate / 3:
            out.append("r%d" % rng.randrange(30000))  # replace
            continue
        out.append(w)
        if x < rate:
            out.append("i%d" % rng.randrange(30000))  # insert after
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=int, required=True)
    ap.add_argument("--variants", type=int, required=True)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--threshold", type=float, default=0.8)
    ap.add_argument("--out", required=True)
    ap.add_argument("--truth", help="ground-truth file (omit with --no-truth)")
    ap.add_argument("--no-truth", action="store_true", help="skip the ground truth (large corpora)")
    ap.add_argument("--min-words", type=int, default=40)
    ap.add_argument("--max-words", type=int, default=160)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    docs = []
    for i in range(a.docs):
        docs.append(("doc%06d" % i, ["w%d" % rng.randrange(30000) for _ in range(rng.randint(a.min_words, a.max_words))]))
    for j in range(a.variants):
        _, base = docs[rng.randrange(len(docs))]      # may pick a variant: chains of edits
        docs.append(("var%06d" % j, variant(base, rng)))
    rng.shuffle(docs)
    with open(a.out, "w") as f:
        for doc_id, words in docs:
            f.write(json.dumps({"id": doc_id, "text": " ".join(words)}) + "\n")
    if a.no_truth:
        print(f"corpus: {len(docs)} documents (no ground truth)")
        return
    sets = {doc_id: shingles(words) for doc_id, words in docs}
    index = defaultdict(list)
    for doc_id, s in sets.items():
        for g in s:
            index[g].append(doc_id)
    candidates = set()
    for ids in index.values():
        if len(ids) > 1:
            for x in range(len(ids)):
                for y in range(x + 1, len(ids)):
                    candidates.add(tuple(sorted((ids[x], ids[y]))))
    pairs = []
    for x, y in candidates:
        sx, sy = sets[x], sets[y]
        j = len(sx & sy) / len(sx | sy)
        if j >= a.threshold:
            pairs.append([x, y])
    json.dump({"threshold": a.threshold, "documents": len(docs), "pairs": sorted(pairs)}, open(a.truth, "w"))
    print(f"corpus: {len(docs)} documents, {len(candidates)} pairs sharing a 5-gram, {len(pairs)} at >= {a.threshold}")


if __name__ == "__main__":
    main()
