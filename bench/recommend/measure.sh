#!/bin/bash
# measure.sh DATA PORT TAG: the figures of bench/RESULTS.md for one data set.
# Starts a bench server on DATA (its output, with the load and training
# times, goes to /tmp/rm_TAG_serve.txt), waits until it serves, runs the mix
# three times (N requests each, default 36,000: long enough to include the
# collector's cycles; /tmp/rm_TAG_1..3.txt), records the server's stats
# (/tmp/rm_TAG_stats.json), stops the server it started (by its pid) and
# prints the median of the three runs per kind. RB is the bench binary
# (default /tmp/rb, from `go build -o /tmp/rb ./bench/recommend`); LOAD_ARGS
# are passed on to load (say "-products 1000000 -shoppers 500000").
set -u
DATA=$1; PORT=$2; TAG=$3; RB=${RB:-/tmp/rb}
"$RB" serve -data "$DATA" -addr 127.0.0.1:"$PORT" > /tmp/rm_"$TAG"_serve.txt 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null' EXIT
for _ in $(seq 1 3600); do curl -s -o /dev/null 127.0.0.1:"$PORT"/bench/stats && break; sleep 1; done
for i in 1 2 3; do "$RB" load -url http://127.0.0.1:"$PORT" -n ${N:-36000} -c 2 ${LOAD_ARGS:-} > /tmp/rm_"$TAG"_$i.txt 2>&1; done
curl -s 127.0.0.1:"$PORT"/bench/stats > /tmp/rm_"$TAG"_stats.json
cat /tmp/rm_"$TAG"_serve.txt /tmp/rm_"$TAG"_stats.json; echo
# The median of the three runs, column by column.
awk '$1 ~ /^[a-z0-9_]+$|^ALL$/ && NF == 6 && $2 ~ /^[0-9]+$/ {
  k = $1; order[k] = (k in order) ? order[k] : ++n; name[order[k]] = k
  for (c = 3; c <= 6; c++) { v = $c; sub(/ms$/, "", v); val[k, c, ++cnt[k, c]] = v }
} END {
  printf "%-22s %9s %9s %9s %9s   (median of runs)\n", "kind", "p50", "p90", "p99", "max"
  for (i = 1; i <= n; i++) { k = name[i]; printf "%-22s", k
    for (c = 3; c <= 6; c++) { m = cnt[k, c]; delete a
      for (j = 1; j <= m; j++) a[j] = val[k, c, j]
      for (x = 1; x <= m; x++) for (y = x + 1; y <= m; y++) if (a[y] + 0 < a[x] + 0) { t = a[x]; a[x] = a[y]; a[y] = t }
      printf " %7.2fms", a[int((m + 1) / 2)] }
    printf "\n" } }' /tmp/rm_"$TAG"_[123].txt
grep -h "req/s" /tmp/rm_"$TAG"_[123].txt
