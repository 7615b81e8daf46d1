package resolver_test

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package's tests if any goroutine (the background
// lookahead's included) is still running when they end: Resolve and
// ResolveUniversal must join every goroutine they start before returning.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
