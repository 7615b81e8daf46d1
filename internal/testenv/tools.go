package testenv

import (
	"os"
	"testing"
)

// Require skips the test when ok is false, for a missing tool (python3,
// venv, pip) the test needs; under PYLOCK_REQUIRE_SHARED=1 (CI) it fails
// instead, so that CI never passes by skipping.
func Require(t testing.TB, ok bool, format string, args ...any) {
	t.Helper()
	if ok {
		return
	}
	if os.Getenv("PYLOCK_REQUIRE_SHARED") == "1" {
		t.Fatalf(format+" (PYLOCK_REQUIRE_SHARED=1)", args...)
	}
	t.Skipf(format, args...)
}
