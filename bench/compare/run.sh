#!/bin/sh
# Run the deadlock-shaped scenarios of bench/compare/ through conclab's
# detector, ThreadSanitizer and Helgrind, and print what each one found
# and how long it took.  See docs/detectors-compared.md.
#
# usage: bench/compare/run.sh [BUILD_DIR]
#   BUILD_DIR  the meson build directory with the conclab static libraries
#              (default: build, next to this repository's meson.build)
# environment:
#   KEEP=1           keep the temporary directory (programs, outputs, traces)
#   ONLY="s01 s06"   run only these scenarios (prefixes of the file names)
#   LIMIT=20         seconds before a run is stopped
#   LIMIT_LONG=60    the same for s10 and s11
# Exit status: 0, or 1 if a program did not build.
set -u

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${1:-$root/build}
case $build in /*) ;; *) build=$(pwd)/$build ;; esac
limit=${LIMIT:-20}
limit_long=${LIMIT_LONG:-60}

for tool in gcc clang valgrind timeout; do
	command -v $tool >/dev/null 2>&1 || {
		echo "run.sh: $tool is not installed" >&2
		exit 1
	}
done
for lib in runtime/libclab_runtime.a tracer/libclab_tracer.a; do
	[ -f "$build/$lib" ] || {
		echo "run.sh: $build/$lib is missing; run 'ninja -C $build'" >&2
		exit 1
	}
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/conclab-compare.XXXXXX") || exit 1
if [ "${KEEP:-0}" = 1 ]; then
	trap 'echo "run.sh: outputs kept in $tmp"' EXIT
else
	trap 'rm -rf "$tmp"' EXIT
fi
trap 'exit 130' INT TERM

# The libraries may be rebuilt by someone else while we run: take a copy
# (meson makes thin archives, which only point at the objects).
for lib in runtime/libclab_runtime.a tracer/libclab_tracer.a; do
	if [ "$(head -c 7 "$build/$lib")" = '!<thin>' ]; then
		objs=$(cd "$build" && ar t "$lib")
		mkdir -p "$tmp/obj"
		for o in $objs; do
			cp "$build/$o" "$tmp/obj/$(echo "$o" | tr / _)"
		done
		# shellcheck disable=SC2046 # one word per object file
		(cd "$tmp/obj" && ar rcs "../$(basename "$lib")" \
		    $(for o in $objs; do echo "$o" | tr / _; done))
	else
		cp "$build/$lib" "$tmp/"
	fi
done
libs="-lz -lpthread"
syms=$(nm "$tmp/libclab_tracer.a" "$tmp/libclab_runtime.a" 2>/dev/null)
echo "$syms" | grep -q ' U unw_' && libs="$libs -lunwind"
echo "$syms" | grep -q ' U dwfl_' && libs="$libs -ldw -lelf"

scenarios=
for src in "$here"/s[0-9][0-9]-*.c; do
	name=$(basename "$src" .c)
	if [ -n "${ONLY:-}" ]; then
		keep=0
		for o in $ONLY; do
			case $name in "$o"*) keep=1 ;; esac
		done
		[ $keep = 1 ] || continue
	fi
	scenarios="$scenarios $name"
done

echo "building into $tmp ..."
failed=0
for name in $scenarios; do
	src=$here/$name.c
	gcc -std=gnu11 -O1 -g -DPLAIN -pthread "$src" -o "$tmp/$name.plain" \
	    2>>"$tmp/build.log" || failed=1
	clang -std=gnu11 -O1 -g -fsanitize=thread -DPLAIN -pthread "$src" \
	    -o "$tmp/$name.tsan" 2>>"$tmp/build.log" || failed=1
	# shellcheck disable=SC2086 # $libs is a list of flags
	gcc -std=gnu11 -O1 -g -I"$root/tracer/include" \
	    -I"$root/runtime/include" "$src" "$tmp/libclab_runtime.a" \
	    "$tmp/libclab_tracer.a" $libs -o "$tmp/$name.clab" \
	    2>>"$tmp/build.log" || failed=1
done
if [ $failed = 1 ]; then
	cat "$tmp/build.log" >&2
	echo "run.sh: a program did not build" >&2
	exit 1
fi

now_ms() {
	echo $(($(date +%s%N) / 1000000))
}

# run NAME TOOL [RUN]: run one program under one tool; writes RUN.out,
# RUN.rc and RUN.ms into $tmp (RUN defaults to NAME.TOOL).
run() {
	name=$1 tool=$2 id=${3:-$1.$2} lim=$limit
	case $name in s10-* | s11-*) lim=$limit_long ;; esac
	out=$tmp/$id.out
	start=$(now_ms)
	case $tool in
	plain) (cd "$tmp" && timeout -k 2 "$lim" "./$name.plain") \
		>"$out" 2>&1 ;;
	tsan) (cd "$tmp" && TSAN_OPTIONS=second_deadlock_stack=1 \
		timeout -k 2 "$lim" "./$name.tsan") >"$out" 2>&1 ;;
	helgrind) (cd "$tmp" && timeout -k 2 "$lim" \
		valgrind --tool=helgrind "./$name.plain") >"$out" 2>&1 ;;
	conclab) (cd "$tmp" && timeout -k 2 "$lim" "./$name.clab") \
		>"$out" 2>&1 ;;
	esac
	echo $? >"$tmp/$id.rc"
	echo $(($(now_ms) - start)) >"$tmp/$id.ms"
}

# Whether the scenario holds a lock-order problem that can deadlock.
expect_bug() {
	case $1 in
	s04-* | s08-* | s11-*) return 1 ;;
	*) return 0 ;;
	esac
}

# cell NAME TOOL [RUN]: one cell of the findings table.
cell() {
	name=$1 tool=$2 id=${3:-$1.$2}
	out=$tmp/$id.out
	rc=$(cat "$tmp/$id.rc")
	secs=$(($(cat "$tmp/$id.ms") / 1000))
	note=
	case $tool in
	tsan)
		n=$(grep -c 'WARNING: ThreadSanitizer: lock-order-inversion' "$out")
		other=$(grep 'WARNING: ThreadSanitizer:' "$out" |
			grep -vc 'lock-order-inversion')
		locks=$(grep -m1 'Cycle in lock order graph' "$out" |
			grep -o '=>' | wc -l)
		[ "$n" -gt 0 ] && note="$locks locks, both stacks"
		[ "$other" -gt 0 ] && note="$note; $other other warning(s)"
		;;
	helgrind)
		n=$(grep -c 'lock order "' "$out")
		if [ "$n" -gt 0 ]; then
			if grep -q 'Required order was established' "$out"; then
				note="2 locks, both threads' stacks"
			else
				note="2 locks, closing thread's stacks only"
			fi
		fi
		grep -q 'errors are no longer being displayed' "$out" &&
			note="$note; stopped showing at the error limit"
		other=$(grep -c '^==[0-9]*== Possible data race' "$out")
		[ "$other" -gt 0 ] && note="$note; $other data race(s)"
		other=$(grep -c 'Exiting thread still holds' "$out")
		[ "$other" -gt 0 ] &&
			note="$note; when killed: $other 'thread still holds a lock'"
		;;
	conclab)
		summary=$(grep '^compat: ' "$out" | tail -1)
		# reported: every cycle except gated ones (printed as notes)
		n=$(echo "$summary" | grep -o '\[[^]]*\]' | grep -vc gated)
		classes=$(echo "$summary" | grep -o '\[[^,]*, [0-9]* locks' |
			tr -d '[' | sort | uniq -c |
			awk '{c=$1; $1=""; printf "%s%s%s", s, (c>1?c"x ":""), substr($0,2); s="; "}')
		note=$classes
		grep -q '^conclab: deadlock' "$out" &&
			note="watchdog: deadlock; $note"
		case $(grep -o '^address reuse: [A-Za-z ]*address' "$out") in
		*NOT*) note="$note; address not reused" ;;
		esac
		;;
	plain)
		n=0
		;;
	esac
	case $tool in
	tsan | helgrind) case $(grep -o '^address reuse: [A-Za-z ]*address' "$out") in
		*NOT*) note="$note; address not reused" ;;
		esac ;;
	esac
	if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
		case $name in
		s06-*) stop="hung (killed at ${secs} s)" ;;
		*) stop="stopped at the ${secs} s time limit" ;;
		esac
		if [ "$n" -gt 0 ]; then
			verdict="reported ${n}x, then $stop"
		else
			verdict="no report, $stop"
		fi
	elif [ "$n" -gt 0 ]; then
		if expect_bug "$name"; then
			verdict="found"
		else
			verdict="false report"
		fi
		[ "$n" -gt 1 ] && verdict="$verdict (${n}x)"
	else
		if expect_bug "$name"; then
			verdict="missed"
		else
			verdict="no report"
		fi
	fi
	[ -n "$note" ] && verdict="$verdict: ${note#; }"
	echo "$verdict"
}

tools="conclab tsan helgrind"
for name in $scenarios; do
	echo "running $name ..."
	for tool in plain $tools; do
		# the plain build of the real deadlock would only hang
		case $name.$tool in s06-*.plain) continue ;; esac
		run "$name" "$tool"
	done
	# With the default 256 MiB cap the conclab build stalls for good
	# after about a thousand threads (see the document); a larger cap
	# lets the detector be seen.
	case $name in s10-*)
		COMPARE_BUFFER_MB=8192 run "$name" conclab "$name.conclab-big"
		;;
	esac
done

{
	echo
	echo "| scenario | conclab | TSan | Helgrind |"
	echo "| --- | --- | --- | --- |"
	for name in $scenarios; do
		printf '| %s ' "$name"
		for tool in $tools; do
			c=$(cell "$name" "$tool")
			[ "$tool" = conclab ] && [ -f "$tmp/$name.conclab-big.rc" ] &&
				c="$c; with COMPARE_BUFFER_MB=8192: $(cell "$name" conclab "$name.conclab-big")"
			printf '| %s ' "$c"
		done
		echo "|"
	done
	echo
	echo "wall time, ms (exit status)"
	echo
	echo "| scenario | plain | conclab | TSan | Helgrind |"
	echo "| --- | --- | --- | --- | --- |"
	for name in $scenarios; do
		printf '| %s ' "$name"
		for tool in plain $tools; do
			if [ -f "$tmp/$name.$tool.ms" ]; then
				printf '| %s (%s) ' "$(cat "$tmp/$name.$tool.ms")" \
				    "$(cat "$tmp/$name.$tool.rc")"
			else
				printf '| - '
			fi
		done
		echo "|"
		[ -f "$tmp/$name.conclab-big.ms" ] &&
			echo "| $name, conclab with COMPARE_BUFFER_MB=8192 | | $(cat "$tmp/$name.conclab-big.ms") ($(cat "$tmp/$name.conclab-big.rc")) | | |"
	done
	for tool in plain $tools; do
		f=$tmp/s11-speed.$tool.out
		[ -f "$f" ] && grep '^speed' "$f" | sed "s/^speed [a-z]*/$tool/"
	done
} | tee "$tmp/summary.md"
exit 0
