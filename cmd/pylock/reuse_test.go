package main

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pylock/pylock/internal/corpus"
	"github.com/pylock/pylock/internal/fakeindex"
)

// Re-running resolve with nothing changed reuses the stored result (it
// reads no metadata): the same lock, the same summary, a results entry in
// the cache; -v resolves (and says how), whatever is stored.
func TestResolveReusesUnchangedResult(t *testing.T) {
	rel := func(v string, req ...string) *corpus.Release {
		return &corpus.Release{Version: v, Requires: req, Wheel: true, WheelTags: []string{"py3-none-any"}}
	}
	srv := fakeindex.New(&corpus.Index{Projects: map[string]*corpus.Project{
		"a": {Name: "a", Releases: []*corpus.Release{rel("1.0", "b"), rel("2.0", "b")}},
		"b": {Name: "b", Releases: []*corpus.Release{rel("1.0")}},
	}}, fakeindex.Options{})
	defer srv.Close()
	work := t.TempDir()
	reqs, lock, cache := filepath.Join(work, "requirements.txt"), filepath.Join(work, "pylock.toml"), filepath.Join(work, "cache")
	os.WriteFile(reqs, []byte("a\n"), 0o644)
	resolve := func(extra ...string) (string, []byte) {
		t.Helper()
		var stderr bytes.Buffer
		args := append([]string{"resolve", reqs, "--index-url", srv.SimpleURL(), "--python-version", "3.11",
			"--python-platform", "linux", "--cache-dir", cache, "-o", lock, "--no-progress"}, extra...)
		if code := run(args, nil, io.Discard, &stderr); code != 0 {
			t.Fatalf("exit %d:\n%s", code, stderr.String())
		}
		data, err := os.ReadFile(lock)
		if err != nil {
			t.Fatal(err)
		}
		return stderr.String(), data
	}
	// No timer installs the signal handler during this test: only the
	// runs' own needs do.
	defer func(d time.Duration) { startSignalsAfter = d }(startSignalsAfter)
	startSignalsAfter = time.Hour
	before := signalInstalls.Load()
	resolve() // cold
	if signalInstalls.Load() == before {
		t.Error("the cold run sent requests without a signal handler")
	}
	warm, stored := resolve() // warm: resolves (a new previous lock) and stores its result
	// The reusing run reads no metadata: with the metadata entries gone,
	// resolving would fetch them again.
	meta, _ := filepath.Glob(filepath.Join(cache, "meta-v3", "*"))
	for _, m := range meta {
		os.Remove(m)
	}
	srv.ResetStats()
	signalWatchers.Wait() // the warm run's handler, if it was still being installed, is counted now
	before = signalInstalls.Load()
	out, reused := resolve() // reuses it
	if n := signalInstalls.Load() - before; n != 0 {
		t.Errorf("the reusing run, which writes nothing, installed %d signal handlers", n)
	}
	if n := srv.Stats().Requests; n != 0 {
		t.Errorf("the reusing run sent %d requests", n)
	}
	if string(reused) != string(stored) {
		t.Errorf("the reusing run wrote:\n%s\nthe resolving run:\n%s", reused, stored)
	}
	summary := func(s string) string { _, after, _ := strings.Cut(s, " ms "); return after }
	if !strings.Contains(out, "Resolved 2 packages in") || summary(out) != summary(warm) {
		t.Errorf("summary of the reusing run:\n%s\nof the resolving run:\n%s", out, warm)
	}
	if entries, _ := filepath.Glob(filepath.Join(cache, "results-v1", "*")); len(entries) != 1 {
		t.Errorf("results entries %v, want one", entries)
	}
	verbose, _ := resolve("-v")
	if !strings.Contains(verbose, "resolve: decide a 2.0") {
		t.Errorf("-v did not resolve:\n%s", verbose)
	}
}
