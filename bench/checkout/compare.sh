#!/usr/bin/env bash
# Checkout throughput of two builds side by side: BenchmarkCheckoutHTTP
# (place + pay through the real HTTP API, 8 concurrent customers) of OLD, of
# NEW with events in process, and of NEW with events through NATS, in rounds
# (old, new, new+nats, old, ...) so that the machine's drift hits all three
# alike. Prints every run and the median orders/s of each.
#
#   bench/checkout/compare.sh OLD_TREE NEW_TREE [ROUNDS] [BENCHTIME]
#
# OLD_TREE and NEW_TREE are checkouts of the repository (git worktree add
# /tmp/old <commit>). Needs BAZAAR_TEST_POSTGRES_URL for the postgres runs
# and a NATS server (BAZAAR_TEST_NATS_URL, default nats://127.0.0.1:4222).
set -euo pipefail
old="$(cd "$1" && pwd)"; new="$(cd "$2" && pwd)"
rounds="${3:-3}"; benchtime="${4:-500x}"
nats="${BAZAAR_TEST_NATS_URL:-nats://127.0.0.1:4222}"
out="$(mktemp -d)"
for tree in "$old" "$new"; do (cd "$tree" && go test -c -o "$out/$(basename "$tree").test" ./internal/server/); done
run() { # name tree events
	local bin="$out/$(basename "$2").test"
	(cd "$2/internal/server" && BAZAAR_TEST_EVENTS_URL="$3" "$bin" -test.run '^$' -test.bench CheckoutHTTP -test.benchtime "$benchtime" -test.count 1) |
		awk -v n="$1" '/orders\/s/ { for (i = 1; i <= NF; i++) if ($i == "orders/s") print n, $1, $(i-1) }' | tee -a "$out/results"
}
for r in $(seq 1 "$rounds"); do
	run old "$old" ""
	run new "$new" ""
	run new+nats "$new" "$nats"
done
echo "--- median orders/s"
# median per build and engine
sort -k1,1 -k2,2 -k3,3n "$out/results" | awk '
	{ k = $1 " " $2; n[k]++; v[k, n[k]] = $3; runs[k] = runs[k] " " $3 }
	END { for (k in n) print k, v[k, int((n[k] + 1) / 2)], "(" runs[k] " )" }' | sort
