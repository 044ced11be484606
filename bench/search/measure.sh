#!/bin/bash
# measure.sh DATA PORT TAG: the figures of bench/RESULTS.md for one catalog.
# For each result-cache mode (off, rankings, all) it starts a fresh bench
# server on DATA, waits until it answers, runs the query mix three times and
# records the server's stats; then suggestions (three runs) and live updates.
# Output: /tmp/m_TAG_MODE_RUN.txt and friends. SB is the bench binary
# (default /tmp/sb, from `go build -o /tmp/sb ./bench/search`).
set -u
DATA=$1; PORT=$2; TAG=$3; SB=${SB:-/tmp/sb}
stop() { pkill -f "$SB serve -data $DATA" ; sleep 1; }
for mode in off rankings all; do
  stop
  nohup "$SB" serve -data "$DATA" -addr 127.0.0.1:"$PORT" -cache=$mode > /tmp/serve_"$TAG".log 2>&1 &
  for _ in $(seq 1 120); do curl -s -o /dev/null 127.0.0.1:"$PORT"/bench/stats && break; sleep 1; done
  sleep 8 # the columns of the largest segments are built in the background at start
  for i in 1 2 3; do "$SB" load -url http://127.0.0.1:"$PORT" -n 2100 -c 2 2>&1 | tail -10 > /tmp/m_"$TAG"_${mode}_$i.txt; done
  curl -s 127.0.0.1:"$PORT"/bench/stats > /tmp/m_"$TAG"_${mode}_stats.json
done
for i in 1 2 3; do "$SB" load -url http://127.0.0.1:"$PORT" -suggest -n 3000 -c 2 2>&1 | tail -3 > /tmp/m_"$TAG"_suggest_$i.txt; done
"$SB" live -url http://127.0.0.1:"$PORT" -n 20 2>&1 | tail -1 > /tmp/m_"$TAG"_live.txt
curl -s 127.0.0.1:"$PORT"/bench/stats > /tmp/m_"$TAG"_final_stats.json
stop
grep -H ALL /tmp/m_"$TAG"_*_[123].txt
