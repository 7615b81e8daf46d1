package resolver_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestNoIO enforces the package boundary: the solver talks only to its
// Provider, so it must not link an HTTP client or process execution.
func TestNoIO(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "github.com/pylock/pylock/resolver").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, dep := range strings.Fields(string(out)) {
		switch dep {
		case "net/http", "os/exec", "net":
			t.Errorf("resolver depends on %s", dep)
		}
	}
}
