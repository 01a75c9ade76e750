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

# Prints one field of a run's results.json.
result() { python3 -c "import json,sys; print(json.load(open(sys.argv[1]+'/results.json'))[sys.argv[2]])" "$1" "$2"; }
