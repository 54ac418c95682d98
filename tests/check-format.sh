#!/bin/sh
# Every C file is formatted as .clang-format says (clang-format 14).
# usage: check-format.sh SOURCE_ROOT
cd "${1:?source root}" || exit 1
cf=$(command -v clang-format-14 || command -v clang-format) || {
	echo "clang-format 14 is not installed"; exit 77; }
"$cf" --version | grep -q 'version 14\.' || {
	echo "$cf is not version 14"; exit 77; }
files=$(git ls-files '*.c' '*.h' 2>/dev/null) || {
	echo "not a git checkout"; exit 77; }
[ -n "$files" ] || { echo "no sources found"; exit 1; }
# shellcheck disable=SC2086
"$cf" --dry-run --Werror $files && echo "$(echo "$files" | wc -l) files formatted"
