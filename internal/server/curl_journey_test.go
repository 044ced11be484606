package server_test

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/bazaar-market/bazaar/internal/server"
)

// TestCurlJourney runs scripts/journey.sh, the order journey by curl that the
// README shows, against a real server with the demo data, on both engines.
func TestCurlJourney(t *testing.T) {
	for _, tool := range []string{"bash", "curl", "jq"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("%s is required in CI: %v", tool, err)
			}
			t.Skipf("scripts/journey.sh needs %s: %v", tool, err)
		}
	}
	engines(t, func(t *testing.T, dbURL string) {
		s, base := boot(t, dbURL)
		if _, err := s.Seed(context.Background(), server.SeedOptions{PerCategory: 2, ImageSize: 16}); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command("bash", "../../scripts/journey.sh", base).CombinedOutput()
		if err != nil || !strings.HasSuffix(strings.TrimSpace(string(out)), "journey ok") {
			t.Fatalf("journey.sh: %v\n%s", err, out)
		}
	})
}
