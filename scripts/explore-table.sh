#!/bin/sh
# The results table of docs/scheduler.md: `conclab explore` with its
# defaults on every variant of every lab, as a markdown table.
#   scripts/explore-table.sh [path/to/conclab] > table.md
set -u
C=${1:-build/cmd/conclab}
dir=$(mktemp -d "${TMPDIR:-/tmp}/conclab-table.XXXXXX")
trap 'rm -rf "$dir"' EXIT
echo "| lab | variant | expected | explore | schedules run | first failing schedule | shrunk: choices (switches) | before shrinking | seconds |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"
"$C" list --porcelain | while read -r lab variant code; do
	"$C" explore "$lab" --variant "$variant" --json \
		--trace "$dir/t.clt" >"$dir/r.json" 2>/dev/null
	rc=$?
	python3 - "$dir/r.json" "$lab" "$variant" "$code" "$rc" <<'PY'
import json, sys
path, lab, variant, code, rc = sys.argv[1:]
d = json.load(open(path))
expected = "passes" if code == "0" else "fails (exit %s)" % code
f = d.get("first_failure")
if f:
    got = "%s (exit %s)" % (f["what"], rc)
    first = "%d (%s, seed %d)" % (f["index"], f["mode"], f["seed"])
    shrunk = "%d (%d)" % (f["choices"], f["switches"])
    before = "%d (%d)" % (f["choices_before_shrinking"], f["switches_before_shrinking"])
else:
    got = "all passed (exit %s)" % rc
    first = shrunk = before = "-"
print("| %s | %s | %s | %s | %d | %s | %s | %s | %.1f |" % (
    lab, variant, expected, got, d["ran"], first, shrunk, before, d["seconds"]))
PY
done
