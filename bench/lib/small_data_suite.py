#!/usr/bin/env python3
"""The small-data suite's harness: splits, label budgets and the classic baselines (scikit-learn from Debian's
python3-sklearn), beside Distillery run with defaults only (`train --data LABELED --test TEST`, plus `--unlabeled REST`
below all labels: the rest of the training split without its labels). Both sides read the same files.

Usage: small_data_suite.py WORKDIR DISTILLERY [--quick]
Writes WORKDIR/metrics.json (flat figures) and WORKDIR/table.md (one row per cell).
"""
import json, os, random, subprocess, sys, time

WORK, DISTILLERY = sys.argv[1], sys.argv[2]
QUICK = "--quick" in sys.argv
SEED = 42
# Data sets the tool fetches itself, each with one test split made by `distillery data split` (duplicates kept on one
# side) at these fractions.
DATASETS = [("digits", 0.25), ("wine", 0.25), ("breast-cancer", 0.25), ("spamassassin", 0.3), ("sotu-era", 0.3),
            ("sotu-party", 0.3)]
if QUICK:
    DATASETS = [("wine", 0.25)]


def run(cmd, log):
    with open(log, "w") as out:
        subprocess.run(cmd, stdout=out, stderr=subprocess.STDOUT, check=True)
    return open(log).read()


def read(path):
    return [json.loads(line) for line in open(path)]


def budgets(rows):
    """10 per class, 100, 10% and all labels, each below the training size, in ascending order, no repeats."""
    classes = len({r["label"] for r in rows})
    n = len(rows)
    out = sorted({b for b in (10 * classes, 100, round(0.1 * n)) if 2 * classes <= b < n} | {n})
    return out[:2] if QUICK else out


def labeled_subset(rows, count, seed):
    """Exactly `count` rows, stratified by label (largest remainder, at least one a class)."""
    by = {}
    for r in rows:
        by.setdefault(r["label"], []).append(r)
    labels = sorted(by)
    quota = {l: count * len(by[l]) / len(rows) for l in labels}
    take = {l: max(1, int(quota[l])) for l in labels}
    for l in sorted(labels, key=lambda l: quota[l] - int(quota[l]), reverse=True):
        if sum(take.values()) >= count:
            break
        take[l] += 1
    while sum(take.values()) > count:
        take[max(take, key=take.get)] -= 1
    rng = random.Random(seed)
    chosen = set()
    for l in labels:
        ids = [r["id"] for r in by[l]]
        rng.shuffle(ids)
        chosen.update(ids[:take[l]])
    return [r for r in rows if r["id"] in chosen], [r for r in rows if r["id"] not in chosen]


def write(rows, path):
    with open(path, "w") as f:
        for r in rows:
            f.write(json.dumps(r) + "\n")


def baselines(train, test, unlabeled):
    """Test accuracy of each classic baseline at its best reasonable configuration: C (and gamma) by stratified k-fold
    cross-validation on the labels when every class has 2 or more, scikit-learn's defaults otherwise."""
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GridSearchCV, StratifiedKFold
    from sklearn.pipeline import make_pipeline, make_union
    from sklearn.preprocessing import StandardScaler
    from sklearn.semi_supervised import LabelSpreading
    from sklearn.svm import SVC, LinearSVC

    text = "text" in train[0]
    y = np.array([r["label"] for r in train])
    y_test = np.array([r["label"] for r in test])
    if text:
        # The vocabulary and IDF come from the labeled texts, fitted once rather than once per fold and C (the folds
        # then share the IDF, which only guides the choice of C). Fitting them on the unlabeled texts too was tried
        # and made this peer weaker with few labels (SpamAssassin, 100 labels: linear SVM 0.867 against 0.939).
        # Character 2-5-grams, as Distillery's TF-IDF reads since 2026-12-07: on every text set tried they were at least
        # as good for this peer as 3-5-grams (first names by gender, 1,000 labels: 0.783 against 0.755).
        features = make_union(TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True),
                              TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True))
        features.fit([r["text"] for r in train])
        X, X_test = features.transform([r["text"] for r in train]), features.transform([r["text"] for r in test])
        models = {"tfidf_lr": (LogisticRegression(max_iter=3000), {"C": [0.01, 0.1, 1, 10, 100]}),
                  "tfidf_linear_svm": (LinearSVC(), {"C": [0.01, 0.1, 1, 10, 100]})}
    else:
        X = np.array([r["features"] for r in train], dtype=float)
        X_test = np.array([r["features"] for r in test], dtype=float)
        X_unl = np.array([r["features"] for r in unlabeled], dtype=float).reshape(-1, X.shape[1])
        models = {"logistic_regression": (make_pipeline(StandardScaler(), LogisticRegression(max_iter=5000)), {"logisticregression__C": [0.01, 0.1, 1, 10, 100]}),
                  "rbf_svm": (make_pipeline(StandardScaler(), SVC()), {"svc__C": [0.1, 1, 10, 100], "svc__gamma": ["scale", 0.01, 0.001]})}
    smallest = min(np.unique(y, return_counts=True)[1])
    out = {}
    for name, (model, grid) in models.items():
        if smallest >= 2:
            # Both cores: the multinomial logistic regression on 7,000 passages takes minutes a fit.
            model = GridSearchCV(model, grid, cv=StratifiedKFold(min(5, smallest), shuffle=True, random_state=0), n_jobs=2)
        model.fit(X, y)
        out[name] = float(np.mean(model.predict(X_test) == y_test))
    if not text and len(X_unl):
        # Transductive: the labels spread over a k-nearest-neighbour graph of labeled, unlabeled and test points.
        scaler = StandardScaler().fit(np.vstack([X, X_unl]))
        classes = sorted(set(y))
        all_x = scaler.transform(np.vstack([X, X_unl, X_test]))
        all_y = np.concatenate([[classes.index(v) for v in y], -np.ones(len(X_unl) + len(X_test), dtype=int)])
        spread = LabelSpreading(kernel="knn", n_neighbors=7, max_iter=100).fit(all_x, all_y)
        predicted = spread.transduction_[-len(X_test):]
        out["label_spreading"] = float(np.mean(np.array(classes)[predicted] == y_test))
    return out


def main():
    os.makedirs(WORK, exist_ok=True)
    metrics, rows_md = {}, []
    few_gains = []
    for name, fraction in DATASETS:
        split_dir = os.path.join(WORK, name)
        run([DISTILLERY, "data", "split", name, "--test-fraction", str(fraction), "--seed", str(SEED), "--out", split_dir],
            os.path.join(WORK, name + "-split.log"))
        train, test = read(os.path.join(split_dir, "train.jsonl")), read(os.path.join(split_dir, "test.jsonl"))
        for count in budgets(train):
            cell = f"{name.replace('-', '_')}_{'all' if count == len(train) else count}"
            labeled, rest = labeled_subset(train, count, SEED)
            lab_path = os.path.join(split_dir, f"labeled-{count}.jsonl")
            write(labeled, lab_path)
            command = [DISTILLERY, "train", "--data", lab_path, "--test", os.path.join(split_dir, "test.jsonl"), "--seed", str(SEED)]
            if rest:
                # The rest of the training split, labels removed: the unlabeled data a user with few labels has.
                unl_path = os.path.join(split_dir, f"unlabeled-{count}.jsonl")
                write([{k: v for k, v in r.items() if k != "label"} for r in rest], unl_path)
                command += ["--unlabeled", unl_path]
            started = time.time()
            log = run(command, os.path.join(WORK, cell + ".log"))
            seconds = time.time() - started
            run_dir = [l for l in log.splitlines() if l.startswith("run saved to ")][-1][len("run saved to "):]
            results = json.load(open(os.path.join(run_dir, "results.json")))
            selection = results.get("model_selection") or {}
            chosen = selection.get("chosen", json.load(open(os.path.join(run_dir, "config.json"))).get("model"))
            spreading = selection.get("label_spreading")
            if spreading is not None:
                chosen += ", spreading " + ("used" if spreading.get("used") else "not used")
            if "model_with_pseudo_labels" in selection:
                chosen += ", trained as " + selection["model_with_pseudo_labels"]
            ours = results["test_accuracy"]
            base = baselines(labeled, test, rest)
            supervised = {k: v for k, v in base.items() if k != "label_spreading"}
            best_name = max(supervised, key=supervised.get)
            metrics[cell + "_accuracy"] = ours
            metrics[cell + "_baseline"] = supervised[best_name]
            if "label_spreading" in base:
                metrics[cell + "_label_spreading"] = base["label_spreading"]
            metrics[cell + "_seconds"] = round(seconds, 1)
            gain = 100 * (ours - supervised[best_name])
            if count <= 100:
                few_gains.append(gain)
            rows_md.append(f"| {name} | {count} | {ours:.4f} ({chosen}) | {supervised[best_name]:.4f} ({best_name}) | "
                           f"{base.get('label_spreading', float('nan')):.4f} | {gain:+.2f} | {seconds:.0f} s |")
            print(rows_md[-1], flush=True)
    cells = [k[:-len("_accuracy")] for k in metrics if k.endswith("_accuracy")]
    metrics["cells_total"] = len(cells)
    metrics["cells_at_or_above_baseline"] = sum(1 for c in cells if metrics[c + "_accuracy"] >= metrics[c + "_baseline"] - 0.005)
    metrics["mean_gain_points_few_labels"] = sum(few_gains) / len(few_gains) if few_gains else 0.0
    json.dump(metrics, open(os.path.join(WORK, "metrics.json"), "w"), indent=1)
    with open(os.path.join(WORK, "table.md"), "w") as f:
        f.write("| data | labels | Distillery default (chosen) | best classic baseline, same labels | label spreading | gain (points) | Distillery time |\n")
        f.write("|---|---|---|---|---|---|---|\n")
        f.write("\n".join(rows_md) + "\n")


main()
