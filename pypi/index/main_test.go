package index

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package's tests if any goroutine (a prefetch, a
// fetch, a download) is still running when they end. Idle keep-alive
// connections of clients a test did not Close are the transport's pool,
// not work in flight: their read and write loops are ignored.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m,
		goleak.IgnoreAnyFunction("net/http.(*persistConn).readLoop"),
		goleak.IgnoreTopFunction("net/http.(*persistConn).writeLoop"))
}
