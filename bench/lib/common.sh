# Shared by the bench/ scripts: run the CLI, find the run it wrote, read its results.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
WORK="$ROOT/bench/.work"
mkdir -p "$WORK"
QUICK=false
if [ "${1:-}" = "--quick" ]; then QUICK=true; fi
quick_flag() { if $QUICK; then echo --quick; fi; }

# Runs ./distillery with the given arguments, echoes its output to stderr, prints the run directory.
distillery_run() {
  local log
  log="$(mktemp "$WORK/run.XXXXXX.log")"
  "$ROOT/distillery" "$@" 2>&1 | tee "$log" >&2
  local dir
  dir="$(grep -E '^run saved to ' "$log" | tail -1 | sed 's/^run saved to //')"
  rm -f "$log"
  if [ -z "$dir" ]; then echo "bench: no run directory in the output of: distillery $*" >&2; exit 1; fi
  echo "$dir"
}

# Prints the CPU seconds a run's process spent on it (provenance.json's cpu_seconds: every thread, the engine's too).
cpu_seconds() { python3 -c "import json,sys; print(json.load(open(sys.argv[1]+'/provenance.json'))['cpu_seconds'])" "$1"; }

# Prints one field of a run's results.json.
result() { python3 -c "import json,sys; print(json.load(open(sys.argv[1]+'/results.json'))[sys.argv[2]])" "$1" "$2"; }

# The Fashion-MNIST teacher several benchmarks share: the CNN at width 48, seed 42 (about 1.85M parameters), trained
# for EPOCHS epochs with early stopping after PATIENCE epochs without a better validation accuracy (default: train's;
# 0 turns it off). Training it takes about 15 minutes per 20 epochs on 2 cores and is deterministic on one build, so
# the first benchmark that needs it trains it and records its run directory in bench/.work; the others reuse that
# run. Usage: fm_teacher EPOCHS [PATIENCE]. Prints the run directory.
FM_TEACHER_WIDTH=48
fm_teacher() {
  local epochs="$1" patience="${2:-}" marker dir
  marker="$WORK/fm-teacher-w${FM_TEACHER_WIDTH}-e${epochs}${patience:+-p$patience}.run"
  if [ -f "$marker" ] && dir="$(cat "$marker")" && [ -f "$dir/model/model.json" ]; then
    echo "bench: reusing the teacher trained by an earlier benchmark: $dir" >&2
    echo "$dir"
    return
  fi
  dir="$(distillery_run train --data fashion-mnist --test fashion-mnist:test --model cnn --width "$FM_TEACHER_WIDTH" \
      --epochs "$epochs" ${patience:+--patience "$patience"} --seed 42)"
  echo "$dir" > "$marker"
  echo "$dir"
}

# Prints one figure of a compression run: base.KEY or variants.N.KEY (a dotted path into results.json).
figure() { python3 -c "
import json, sys
v = json.load(open(sys.argv[1] + '/results.json'))
for part in sys.argv[2].split('.'):
    v = v[int(part)] if isinstance(v, list) else v[part]
print(v)" "$1" "$2"; }
