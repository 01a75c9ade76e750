#!/usr/bin/env python3
"""Writes bench/results/NAME.json and the benchmark's row in BENCHMARKS.md.

Usage: record.py NAME --command CMD --seeds 42,43 --metrics metrics.json --figures "text" --target "text" [--quick]
With --quick the JSON goes to bench/.work/quick/ and BENCHMARKS.md is left alone: smoke runs are never committed.
"""
import argparse, json, os, platform, re, subprocess, sys, datetime

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def machine():
    model = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{os.cpu_count()} cores, {model}, {mem_gib:.0f} GiB, {platform.system()} {platform.machine()}"


def commit():
    """HEAD, marked -dirty when tracked files changed since, except the benchmarks' own outputs (BENCHMARKS.md and
    bench/results/): those change as a chain of benchmarks records its figures, and no benchmark reads them."""
    try:
        sha = subprocess.check_output(["git", "-C", ROOT, "rev-parse", "--short=12", "HEAD"], text=True).strip()
        status = subprocess.check_output(["git", "-C", ROOT, "status", "--porcelain", "--untracked-files=no"], text=True)
        changed = [line[3:] for line in status.splitlines() if line.strip()]
        dirty = [p for p in changed if p != "BENCHMARKS.md" and not p.startswith("bench/results/")]
        return sha + ("-dirty" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("name")
    ap.add_argument("--command", required=True)
    ap.add_argument("--seeds", default="")
    ap.add_argument("--metrics", required=True, help="JSON file with {key: number}")
    ap.add_argument("--figures", default="", help="short text for the BENCHMARKS.md row")
    ap.add_argument("--target", default="", help="the target and whether it was met")
    ap.add_argument("--extra", default=None, help="JSON file with extra non-metric fields")
    ap.add_argument("--quick", action="store_true")
    a = ap.parse_args()
    with open(a.metrics) as f:
        metrics = json.load(f)
    bad = {k: v for k, v in metrics.items() if not isinstance(v, (int, float)) or isinstance(v, bool)}
    if bad:
        sys.exit(f"record.py: metrics must be numbers, got {bad}")
    threads = os.environ.get("DISTILLERY_THREADS")
    if threads and "DISTILLERY_THREADS" not in a.command:
        # The PyTorch thread count changes floating-point summation order, hence the figures: part of the command.
        a.command = f"DISTILLERY_THREADS={threads} {a.command}"
    doc = {
        "benchmark": a.name,
        "command": a.command,
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "machine": machine(),
        "commit": commit(),
        "seeds": [int(s) for s in a.seeds.split(",") if s],
        "metrics": metrics,
    }
    if a.extra:
        with open(a.extra) as f:
            doc.update(json.load(f))
    out_dir = os.path.join(ROOT, "bench", ".work", "quick") if a.quick else os.path.join(ROOT, "bench", "results")
    os.makedirs(out_dir, exist_ok=True)
    out = os.path.join(out_dir, a.name + ".json")
    tmp = out + ".tmp"
    with open(tmp, "w") as f:
        json.dump(doc, f, indent=2)
        f.write("\n")
    os.replace(tmp, out)
    print(f"wrote {os.path.relpath(out, ROOT)}")
    if a.quick:
        return
    bench_md = os.path.join(ROOT, "BENCHMARKS.md")
    with open(bench_md) as f:
        lines = f.read().splitlines()
    row = f"| `{a.name}` | `{a.command}` | {a.figures} | {a.target} | {doc['machine']} | {doc['date'][:10]} | `{doc['commit']}` |"
    pattern = re.compile(r"^\| `" + re.escape(a.name) + r"` \|")
    replaced = False
    for i, line in enumerate(lines):
        if pattern.match(line):
            lines[i] = row
            replaced = True
    if not replaced:
        # Append to the results table (the first run of table rows), not after the notes below it.
        rows = [i for i, line in enumerate(lines) if line.startswith("| `")]
        at = rows[0] if rows else len(lines)
        while at + 1 < len(lines) and lines[at + 1].startswith("|"):
            at += 1
        lines.insert(at + 1 if rows else len(lines), row)
    with open(bench_md + ".tmp", "w") as f:
        f.write("\n".join(lines) + "\n")
    os.replace(bench_md + ".tmp", bench_md)
    print(f"updated BENCHMARKS.md row for {a.name}")


if __name__ == "__main__":
    main()
