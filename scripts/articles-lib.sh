# Sourced by the scripts that read an articles file (loadtest.sh, instructions.sh).
# articles_input TOOL [PATH]: prints the articles file to use, as an absolute path. A named
# PATH (relative to the caller's directory) must exist: a name that is not there is an error,
# not a quiet run on the bundled sample. Without one: wire-dev (../shared/bench/wire-dev beside
# the checkout) if present, else the bundled sample.
articles_input() {
  local tool="$1" named="${2:-}" root
  root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
  if [ -n "$named" ]; then
    [ -f "$named" ] || { echo "$tool: no such input file: $named" >&2; return 2; }
    realpath "$named"
  elif [ -f "$root/../shared/bench/wire-dev/articles.jsonl" ]; then
    realpath "$root/../shared/bench/wire-dev/articles.jsonl"
  else
    echo "$root/examples/sample-articles.jsonl"
  fi
}
