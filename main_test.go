package pylock

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package's tests if any goroutine (resolver lookahead,
// provider prefetch, index client) is still running when they end.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
