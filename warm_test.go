package pylock_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pylock/pylock"
	"github.com/pylock/pylock/internal/fakeindex"
	"github.com/pylock/pylock/internal/testenv"
	"github.com/pylock/pylock/pypi/inputs"
	"github.com/pylock/pylock/pypi/reqfile"
)

// A run whose cache a previous run filled makes no request and opens no
// connection, though the solver's lookahead guesses at versions the
// earlier run abandoned before they were cached; --offline opens none
// either. The server counts TCP connections.
func TestWarmResolveOpensNoConnection(t *testing.T) {
	srv := resolvelibServer(t, "pypi-2020-02-13-chalice")
	cache := t.TempDir()
	run := func(offline bool) []string {
		t.Helper()
		res, err := pylock.Resolve(context.Background(), pylock.Options{
			Inputs:   inputs.FromPaths(reqfile.PyprojectOptions{}, "-"),
			Stdin:    strings.NewReader("chalice\n"),
			IndexURL: srv.SimpleURL(),
			Target:   pylock.TargetSpec{PythonVersion: "3.11", Platform: "x86_64-manylinux_2_28"},
			CacheDir: cache,
			Offline:  offline,
			Getenv:   func(string) string { return "" },
		})
		if err != nil {
			t.Fatalf("offline=%v: %v", offline, err)
		}
		var got []string
		for _, p := range res.Lock.Packages {
			got = append(got, p.Name+"=="+p.Version)
		}
		return got
	}
	cold := run(false)
	if st := settle(srv); st.Requests == 0 || st.Connections == 0 {
		t.Fatalf("cold run: %d requests on %d connections, want some", st.Requests, st.Connections)
	}
	for _, offline := range []bool{false, true, false} {
		srv.ResetStats()
		before := srv.Stats().Connections
		got := run(offline)
		st := srv.Stats()
		if st.Requests != 0 || st.Connections != before {
			t.Errorf("warm run (offline=%v): %d requests on %d new connections, want none", offline, st.Requests, st.Connections-before)
			for _, r := range srv.Log() {
				t.Log(r)
			}
		}
		if strings.Join(got, " ") != strings.Join(cold, " ") {
			t.Errorf("warm run (offline=%v) locked %v, the cold run %v", offline, got, cold)
		}
	}
}

// settle returns the server's counters once requests that a finished run
// abandoned on the wire (cancelled guesses the server still reads and
// answers) have arrived: they belong to that run, not to the next.
func settle(srv *fakeindex.Server) fakeindex.Stats {
	st := srv.Stats()
	for {
		time.Sleep(100 * time.Millisecond)
		again := srv.Stats()
		if again.Requests == st.Requests && again.Connections == st.Connections {
			return again
		}
		st = again
	}
}

// resolvelibServer serves a resolvelib corpus snapshot in process until the
// test ends.
func resolvelibServer(tb testing.TB, snapshot string) *fakeindex.Server {
	tb.Helper()
	data, err := os.ReadFile(filepath.Join(testenv.CorpusDir(tb), "resolvelib", "index", snapshot+".json"))
	if err != nil {
		tb.Fatal(err)
	}
	idx, err := fakeindex.FromResolvelib(data)
	if err != nil {
		tb.Fatal(err)
	}
	srv := fakeindex.New(idx, fakeindex.Options{})
	tb.Cleanup(srv.Close)
	return srv
}
