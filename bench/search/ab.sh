#!/bin/bash
# ab.sh DATA OLD NEW: the query mix with the result cache off, two bench
# binaries back to back on the same data (this VM's speed drifts within a
# session, so code is compared in one run, not against old figures). Order:
# OLD, NEW, OLD; each on a freshly started server, two mix runs each.
# Build OLD from an earlier commit, e.g.:
#   git worktree add /tmp/old <rev> && (cd /tmp/old && go build -o /tmp/sb_old ./bench/search)
set -u
DATA=$1; OLD=$2; NEW=$3; PORT=${PORT:-8095}
run() {
  local bin=$1 tag=$2
  pkill -f "serve -data $DATA" ; sleep 1
  nohup "$bin" serve -data "$DATA" -addr 127.0.0.1:"$PORT" -cache=off > /tmp/ab_serve_"$tag".log 2>&1 &
  for _ in $(seq 1 120); do curl -s -o /dev/null 127.0.0.1:"$PORT"/bench/stats && break; sleep 1; done
  sleep 8 # the columns of the largest segments are built in the background at start
  for i in 1 2; do
    printf '%-6s run %d: ' "$tag" "$i"
    "$bin" load -url http://127.0.0.1:"$PORT" -n 2100 -c 2 2>&1 | grep '^ALL'
  done
  pkill -f "serve -data $DATA"; sleep 1
}
run "$OLD" old; run "$NEW" new; run "$OLD" old
