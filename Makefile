# Bazaar: `make run` starts a demo shop, `make test` runs every check.
# Both need only Go (1.26+); tools are fetched through the Go module proxy.

STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2
GO_PACKAGES := ./...

.PHONY: run test test-nats lint unit build bench clean web web-test e2e graphql proto

run: ## a complete shop with demo data on http://localhost:8080 (SQLite in ./bazaar-data)
	@if [ ! -f web/dist/index.html ]; then \
		if command -v npm >/dev/null 2>&1; then $(MAKE) web; \
		else echo "make run: npm not found, serving the API without the web UI (install Node 20+ and run make web)"; fi; \
	fi
	go run ./cmd/bazaar serve --demo

build:
	go build -o bin/bazaar ./cmd/bazaar

test: lint unit ## formatting, vet, staticcheck and the race-enabled test suite

lint:
	@unformatted=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './web/node_modules/*')); \
	if [ -n "$$unformatted" ]; then echo "gofmt needed:"; echo "$$unformatted"; exit 1; fi
	go vet $(GO_PACKAGES)
	go run $(STATICCHECK) $(GO_PACKAGES)

# PostgreSQL runs too when BAZAAR_TEST_POSTGRES_URL is set (CI always sets it).
unit:
	go test -race -count=1 -timeout 30m $(GO_PACKAGES)

# Every test that delivers events (the modules that consume them and the
# whole server) again, with every event relayed through NATS JetStream
# (BAZAAR_TEST_NATS_URL, default the local server); the event drivers' own
# suites run in `make test` when BAZAAR_TEST_NATS_URL / BAZAAR_TEST_AMQP_URL are set.
# The tests of the doors' own shapes and the edge (GraphQL, gRPC, OpenAPI,
# limits) are not run twice: the parity suite drives all three doors here.
NATS_SKIP := ^(TestGraphQL|TestGraphiQL|TestGRPC|TestConnect|TestProtosServed|TestEdge|TestOpenAPI|TestAPIDocs|TestServeTLS)
test-nats:
	BAZAAR_TEST_EVENTS_URL=$${BAZAAR_TEST_NATS_URL:-nats://127.0.0.1:4222} go test -race -count=1 -timeout 30m -skip '$(NATS_SKIP)' \
		./internal/order/... ./internal/shipment/... ./internal/search/ ./internal/server/

bench: ## the HTTP benchmarks behind bench/RESULTS.md
	go test -run '^$$' -bench . -benchmem -count 5 ./internal/catalog/cataloghttp/

.PHONY: openapi openapi-lint

# The OpenAPI document (what GET /api/v1/openapi.json answers), written
# without a running server, and Spectral's verdict on it: spectral:oas and
# the OWASP API security rules (tools/openapi/.spectral.yaml); any error fails.
openapi: ## write the OpenAPI document to tools/openapi/openapi.json
	go run ./cmd/bazaar openapi -o tools/openapi/openapi.json

openapi-lint: openapi ## lint the OpenAPI document with Spectral (needs Node 20+ and npm)
	cd tools/openapi && npm ci --no-audit --no-fund && npx spectral lint --fail-severity=error openapi.json

# The web UI (web/): built into web/dist and embedded in the binary.
web: ## build the web UI into web/dist (needs Node 20.19+ and npm)
	cd web && npm ci --no-audit --no-fund && npm run build

web-test: ## the web UI's type check and unit tests (vitest)
	cd web && npm ci --no-audit --no-fund && npx tsc -p . && npx vitest run

e2e: web ## the web UI end to end in headless Chromium against `bazaar serve --demo`
	bash web/e2e/run.sh

graphql: ## regenerate the GraphQL server code from internal/graphql/schema (gqlgen, pinned in tools/go.mod)
	cd internal/graphql && go tool -modfile=../../tools/go.mod gqlgen generate
	cd tools && go run ./gqlfast ../internal/graphql && gofmt -w ../internal/graphql/exec_gen.go ../internal/graphql/fast_gen.go

clean:
	rm -rf bin bazaar-data

# The gRPC code under internal/gen, from proto/ (needs protoc: Debian's
# protobuf-compiler; the plugins are pinned in tools/go.mod).
proto:
	rm -rf internal/gen
	go build -modfile=tools/go.mod -o bin/ google.golang.org/protobuf/cmd/protoc-gen-go connectrpc.com/connect/cmd/protoc-gen-connect-go
	protoc -I proto --plugin=protoc-gen-go=bin/protoc-gen-go --plugin=protoc-gen-connect-go=bin/protoc-gen-connect-go \
		--go_out=. --go_opt=module=github.com/bazaar-market/bazaar \
		--connect-go_out=. --connect-go_opt=module=github.com/bazaar-market/bazaar \
		$$(cd proto && find bazaar -name '*.proto' | sort)
