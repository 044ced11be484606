// Package stripemock runs stripe-mock (github.com/stripe/stripe-mock) for
// tests: a stateless server that validates requests against Stripe's
// OpenAPI spec and answers with fixtures.
//
// Start finds the binary on $PATH, in $GOBIN or in $(go env GOPATH)/bin,
// and when it is absent installs Version with `go install`. If it still
// cannot be had, the test is skipped with the reason, or fails when
// CI=true.
package stripemock

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// Module and Version are what Start installs when the binary is absent.
const (
	Module  = "github.com/stripe/stripe-mock"
	Version = "v0.203.0"
)

// Key is a test secret key stripe-mock accepts.
const Key = "sk_test_123"

var (
	findOnce sync.Once
	binPath  string
	findErr  error
)

// Start runs stripe-mock on a free local port for the rest of the test and
// returns its base URL ("http://127.0.0.1:<port>").
func Start(t testing.TB) string {
	t.Helper()
	findOnce.Do(func() { binPath, findErr = find() })
	if findErr != nil {
		unavailable(t, findErr)
	}
	// Port 0 for both listeners (HTTPS listens on 12112 unless told), so
	// parallel test binaries never collide; the chosen port is read from
	// its log.
	cmd := exec.Command(binPath, "-http-addr", "127.0.0.1:0", "-https-addr", "127.0.0.1:0")
	pr, pw := io.Pipe()
	cmd.Stdout, cmd.Stderr = pw, pw
	if err := cmd.Start(); err != nil {
		unavailable(t, fmt.Errorf("start %s: %w", binPath, err))
	}
	exited := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		pw.Close()
		close(exited)
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Kill() // only the process started here
		<-exited
	})
	addr := make(chan string, 1)
	var logMu sync.Mutex
	var logged strings.Builder
	go func() {
		re := regexp.MustCompile(`Listening for HTTP at address: (\S+)`)
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			logMu.Lock()
			logged.WriteString(sc.Text() + "\n")
			logMu.Unlock()
			if m := re.FindStringSubmatch(sc.Text()); m != nil {
				select {
				case addr <- m[1]:
				default:
				}
			}
		}
		_, _ = io.Copy(io.Discard, pr)
	}()
	var base string
	select {
	case a := <-addr:
		base = "http://" + a
	case <-exited:
		logMu.Lock()
		defer logMu.Unlock()
		t.Fatalf("stripe-mock exited before listening:\n%s", logged.String())
	case <-time.After(20 * time.Second):
		t.Fatalf("stripe-mock did not listen within 20 s")
	}
	if err := waitReady(base, 10*time.Second); err != nil {
		t.Fatalf("stripe-mock at %s: %v", base, err)
	}
	return base
}

// waitReady polls until stripe-mock answers an authenticated request.
func waitReady(base string, within time.Duration) error {
	deadline := time.Now().Add(within)
	var last error
	for time.Now().Before(deadline) {
		req, _ := http.NewRequest(http.MethodGet, base+"/v1/balance", nil)
		req.Header.Set("Authorization", "Bearer "+Key)
		res, err := http.DefaultClient.Do(req)
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return nil
			}
			err = fmt.Errorf("GET /v1/balance: %s", res.Status)
		}
		last = err
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("not ready within %v: %w", within, last)
}

// unavailable skips the test, or fails it under CI.
func unavailable(t testing.TB, err error) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("stripe-mock is required in CI: %v", err)
	}
	t.Skipf("stripe-mock unavailable (install it with `go install %s@%s`): %v", Module, Version, err)
}

// find returns the stripe-mock binary, installing it if need be.
func find() (string, error) {
	if p, err := exec.LookPath("stripe-mock"); err == nil {
		return p, nil
	}
	goBin, goErr := exec.LookPath("go")
	dirs := binDirs(goBin)
	if p := inDirs(dirs); p != "" {
		return p, nil
	}
	if goErr != nil {
		return "", fmt.Errorf("not on $PATH, in $GOBIN or $(go env GOPATH)/bin, and no go command to install it: %w", goErr)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, goBin, "install", Module+"@"+Version)
	cmd.Dir = os.TempDir() // outside any module: `go install pkg@version` ignores it anyway
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go install %s@%s: %w\n%s", Module, Version, err, out)
	}
	if p := inDirs(binDirs(goBin)); p != "" {
		return p, nil
	}
	return "", errors.New("go install succeeded but the binary is in none of $GOBIN, $(go env GOPATH)/bin")
}

// binDirs are $GOBIN and each $(go env GOPATH)/bin.
func binDirs(goBin string) []string {
	var dirs []string
	if d := os.Getenv("GOBIN"); d != "" {
		dirs = append(dirs, d)
	}
	gopath := os.Getenv("GOPATH")
	if goBin != "" {
		if out, err := exec.Command(goBin, "env", "GOBIN", "GOPATH").Output(); err == nil {
			lines := strings.Split(strings.TrimSpace(string(out)), "\n")
			if len(lines) == 2 {
				if lines[0] != "" {
					dirs = append(dirs, lines[0])
				}
				gopath = lines[1]
			}
		}
	}
	if gopath == "" {
		if home, err := os.UserHomeDir(); err == nil {
			gopath = filepath.Join(home, "go")
		}
	}
	for _, p := range filepath.SplitList(gopath) {
		if p != "" {
			dirs = append(dirs, filepath.Join(p, "bin"))
		}
	}
	return dirs
}

func inDirs(dirs []string) string {
	for _, d := range dirs {
		p := filepath.Join(d, "stripe-mock")
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0 {
			return p
		}
	}
	return ""
}
