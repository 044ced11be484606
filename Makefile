# Bazaar: `make run` starts a demo shop, `make test` runs every check.
# Both need only Go (1.26+); tools are fetched through the Go module proxy.

STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2
GO_PACKAGES := ./...

.PHONY: run test lint unit build bench clean

run: ## a complete shop with demo data on http://localhost:8080 (SQLite in ./bazaar-data)
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
	go test -race -count=1 -timeout 20m $(GO_PACKAGES)

bench: ## the HTTP benchmarks behind bench/RESULTS.md
	go test -run '^$$' -bench . -benchmem -count 5 ./internal/catalog/cataloghttp/

clean:
	rm -rf bin bazaar-data
