#!/usr/bin/env bash
# Checkout throughput with the built-in test gateway and with the Stripe
# driver (stripe-mock behind stripemock.Front) side by side:
# BenchmarkCheckoutGateways (place + pay through the real HTTP API, 8
# concurrent customers; test then stripe, per engine) in ROUNDS runs of one
# test binary, so the machine's drift hits both alike. Prints every run, the
# median orders/s of each and stripe/test per round and its median.
#
#   bench/checkout/gateways.sh [ROUNDS] [BENCHTIME]
#
# Needs stripe-mock (the benchmark installs it) and BAZAAR_TEST_POSTGRES_URL
# for the postgres runs.
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds="${1:-5}"; benchtime="${2:-500x}"
out="$(mktemp -d)"
go test -c -o "$out/server.test" ./internal/server/
for r in $(seq 1 "$rounds"); do
	(cd internal/server && "$out/server.test" -test.run '^$' -test.bench CheckoutGateways -test.benchtime "$benchtime" -test.count 1) |
		awk -v r="$r" '/orders\/s/ { for (i = 1; i <= NF; i++) if ($i == "orders/s") { n = $1; sub(/-[0-9]+$/, "", n); sub(/^BenchmarkCheckoutGateways\//, "", n); print r, n, $(i-1) } }' |
		tee -a "$out/results"
done
echo "--- median orders/s (runs)"
awk '{ k = $2; n[k]++; v[k, n[k]] = $3; runs[k] = runs[k] " " $3 }
	END { for (k in n) { m = n[k]; for (i = 1; i <= m; i++) a[i] = v[k, i]; asort(a); print k, a[int((m + 1) / 2)], "(" runs[k] " )"; delete a } }' "$out/results" | sort
echo "--- stripe/test per round, median"
awk '{ split($2, p, "/"); val[$1, p[1], p[2]] = $3; eng[p[1]] = 1; last = $1 }
	END { for (e in eng) { m = 0; s = ""; for (r = 1; r <= last; r++) if (val[r, e, "test"] > 0 && val[r, e, "stripe"] != "") { x[++m] = val[r, e, "stripe"] / val[r, e, "test"]; s = s sprintf(" %.2f", x[m]) }
		asort(x); printf "%s %.2f (%s )\n", e, x[int((m + 1) / 2)], s; delete x } }' "$out/results" | sort
