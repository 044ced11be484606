#!/usr/bin/env bash
# End-to-end tests of the web UI in a real headless Chromium against the real
# server: builds the UI (when web/dist has no build) and the Go binary, starts
# `bazaar serve --demo` on a free loopback port with a temporary data dir,
# runs e2e/*.test.mjs with node's test runner, and stops the server.
#
# Needs Debian's chromium (apt-get install -y chromium) or CHROMIUM=/path.
# Screenshots of key steps land in web/e2e/screenshots/ (gitignored).
set -euo pipefail
web="$(cd "$(dirname "$0")/.." && pwd)"
root="$(cd "$web/.." && pwd)"
cd "$web"

export CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
if [ ! -x "$CHROMIUM" ]; then
	echo "e2e: no Chromium at $CHROMIUM (apt-get install -y chromium, or set CHROMIUM)" >&2
	exit 1
fi
[ -d node_modules ] || npm ci --no-audit --no-fund
[ -f dist/index.html ] || npm run build

tmp="$(mktemp -d)"
pid=""
cleanup() {
	if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
		kill "$pid"
		wait "$pid" 2>/dev/null || true
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT

(cd "$root" && go build -o "$tmp/bazaar" ./cmd/bazaar)
# Tests that start servers of their own (payments.test.mjs) reuse the binary.
export BAZAAR_BIN="$tmp/bazaar"
port="$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")"
export BAZAAR_URL="http://127.0.0.1:$port"
# The server's SQLite database, for tests that set up what the API cannot
# (a dead-lettered event) with the sqlite3 command-line tool.
export BAZAAR_E2E_DB="$tmp/data/bazaar.db"
"$tmp/bazaar" serve --demo --data "$tmp/data" --addr "127.0.0.1:$port" >"$tmp/server.log" 2>&1 &
pid=$!

# Demo seeding runs before the server listens; give a slow machine time.
for _ in $(seq 1 240); do
	if curl -fsS "$BAZAAR_URL/readyz" >/dev/null 2>&1; then break; fi
	if ! kill -0 "$pid" 2>/dev/null; then
		echo "e2e: the server exited:" >&2
		cat "$tmp/server.log" >&2
		exit 1
	fi
	sleep 0.5
done
curl -fsS "$BAZAAR_URL/readyz" >/dev/null || { echo "e2e: server not ready" >&2; tail -50 "$tmp/server.log" >&2; exit 1; }

mkdir -p e2e/screenshots
status=0
# E2E_FILES runs a subset: E2E_FILES="e2e/cod.test.mjs e2e/money.test.mjs".
# shellcheck disable=SC2086
node --test --test-concurrency=1 --test-reporter=spec ${E2E_FILES:-e2e/*.test.mjs} 2>&1 || status=$?
if [ "$status" -ne 0 ]; then
	echo "--- server log (last 80 lines) ---" >&2
	tail -80 "$tmp/server.log" >&2
fi
exit "$status"
