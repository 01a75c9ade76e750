#!/usr/bin/env python3
"""Reimplements an export's text recipe (featurizer.json) in Python from its written steps, and checks that every test
vector's text hashes to the ids the export lists: the proof that the recipe can be followed outside the JVM.

Usage: featurizer_check.py EXPORT_DIR  -> prints {"vectors": N, "matched": M} as JSON.
"""
import json, sys, unicodedata


def word_unit(u):
    # letters or decimal digits, judged per UTF-16 code unit; surrogate halves never are
    if 0xD800 <= u <= 0xDFFF:
        return False
    cat = unicodedata.category(chr(u))
    return cat.startswith("L") or cat == "Nd"


def ids(text, ngrams, buckets, max_tokens):
    lower = text.lower()
    data = lower.encode("utf-16-le")
    units = [data[i] | (data[i + 1] << 8) for i in range(0, len(data), 2)]
    words, cur = [], []
    for u in units + [0x20]:
        if word_unit(u):
            cur.append(u)
        elif cur:
            if len(words) < max_tokens:
                words.append(cur)
            cur = []
    out = []
    for n in range(1, ngrams + 1):
        for i in range(0, len(words) - n + 1):
            if len(out) == max_tokens:
                return out
            gram = []
            for k in range(n):
                if k:
                    gram.append(0x20)
                gram.extend(words[i + k])
            h = 0xcbf29ce484222325
            for u in gram:
                for byte in (u & 0xff, u >> 8):
                    h ^= byte
                    h = (h * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
            signed = h - (1 << 64) if h >= (1 << 63) else h
            out.append(1 + signed % (buckets - 1))  # Python's % is already the non-negative floorMod
    return out


card = json.load(open(sys.argv[1] + "/featurizer.json"))
r = card["recipe"]
vectors = card["test_vectors"]
matched = sum(ids(v["text"], r["ngrams"], r["buckets"], r["max_tokens"]) == v["ids"] for v in vectors)
print(json.dumps({"vectors": len(vectors), "matched": matched}))
