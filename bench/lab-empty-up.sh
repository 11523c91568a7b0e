#!/usr/bin/env bash
# `npm run bench:lab`: the wall time of `npm run lab -- up` with nothing to change (issue 14: <= 2 s),
# with npm's own start and without it (scripts/lab.sh, what npm runs), and of the test-host set-up
# script's already-set-up path alone (which the lab skips once it has passed, see scripts/lab.sh).
# The lab example runs as its own stack, pltest-blab (objects named pltest-blab-*, subnet
# 10.249.10), is brought up once unmeasured, and destroyed at the end. BENCH_ROUNDS (default 3) empty ups; the median is shown. Needs root.
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${BENCH_ROUNDS:-3}
ARGS=(--example lab --stack pltest-blab --config prefix=pltest-blab --config subnet=10.249.10)

now() { date +%s.%N; }
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# An empty up must have changed nothing: the engine's summary says so.
expect_empty_up() {
    if ! grep -qE "[0-9]+ unchanged" <<<"$2" || grep -qE "[-+~]+ [0-9]+ (created|updated|deleted|replaced)" <<<"$2"; then
        echo "bench:lab: round $1 was not an empty up:" >&2
        echo "$2" >&2
        exit 1
    fi
}

cleanup() { bash scripts/lab.sh destroy "${ARGS[@]}" >/dev/null 2>&1 || echo "bench:lab: destroy failed" >&2; }
trap cleanup EXIT

echo "bench:lab: bringing the lab up once (unmeasured)..." >&2
bash scripts/lab.sh up "${ARGS[@]}" >/dev/null
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
setup_times=()
lab_times=()
npm_times=()
for ((r = 0; r < ROUNDS; r++)); do
    t0=$(now)
    bash scripts/setup-test-host.sh >/dev/null
    t1=$(now)
    out=$(bash scripts/lab.sh up "${ARGS[@]}" 2>&1)
    t2=$(now)
    expect_empty_up "$r (scripts/lab.sh)" "$out"
    out=$(npm run --silent lab -- up "${ARGS[@]}" 2>&1)
    t3=$(now)
    expect_empty_up "$r (npm run lab)" "$out"
    setup_times+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')")
    lab_times+=("$(awk -v a="$t1" -v b="$t2" 'BEGIN { printf "%.2f", b - a }')")
    npm_times+=("$(awk -v a="$t2" -v b="$t3" 'BEGIN { printf "%.2f", b - a }')")
done
setup_median=$(printf '%s\n' "${setup_times[@]}" | median)
lab_median=$(printf '%s\n' "${lab_times[@]}" | median)
npm_median=$(printf '%s\n' "${npm_times[@]}" | median)
echo "bench:lab, $(date -u +%Y-%m-%dT%H:%M:%SZ), load average before: $load_before, after: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-48s %s\n' "what (median of $ROUNDS)" "wall s"
printf '%-48s %s   (%s)\n' "scripts/setup-test-host.sh, already set up" "$setup_median" "${setup_times[*]}"
printf '%-48s %s   (%s)\n' "scripts/lab.sh up, nothing to change" "$lab_median" "${lab_times[*]}"
printf '%-48s %s   (%s)\n' "npm run lab -- up, nothing to change" "$npm_median" "${npm_times[*]}"
verdict() { awk -v t="$1" 'BEGIN { print (t <= 2.0 ? "met" : "MISSED") }'; }
echo "empty lab up <= 2 s: $(verdict "$npm_median") with npm's start, $(verdict "$lab_median") without"
