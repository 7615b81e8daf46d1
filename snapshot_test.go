package pylock

import (
	"context"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/pylock/pylock/internal/corpus"
	"github.com/pylock/pylock/internal/fakeindex"
	"github.com/pylock/pylock/internal/testenv"
	"github.com/pylock/pylock/pypi/index"
	"github.com/pylock/pylock/pypi/pep440"
	"github.com/pylock/pylock/pypi/target"
	"github.com/pylock/pylock/resolver"
)

// basicProvider serves the packse fork/basic index (a 1.0.0 and 2.0.0)
// through a real index client and a Provider for Linux CPython 3.11.
func basicProvider(t *testing.T, o fakeindex.Options) *Provider {
	t.Helper()
	sc, err := corpus.LoadPackse(filepath.Join(testenv.CorpusDir(t), "packse", "fork", "basic.toml"))
	if err != nil {
		t.Fatal(err)
	}
	srv := fakeindex.New(sc.Index, o)
	t.Cleanup(srv.Close)
	c, err := index.New(index.Options{IndexURL: srv.SimpleURL(), NoCache: true})
	if err != nil {
		t.Fatal(err)
	}
	tg, err := target.New("3.11", "linux")
	if err != nil {
		t.Fatal(err)
	}
	return NewProvider(c, tg)
}

func TestSnapshotIsACopy(t *testing.T) {
	p := basicProvider(t, fakeindex.Options{})
	ctx := context.Background()
	v := pep440.MustParse("2.0.0")
	if _, err := p.Metadata(ctx, "a", v); err != nil {
		t.Fatal(err)
	}
	sol := &resolver.Result{Packages: []resolver.Package{{Name: "a", Version: v}}}
	snap, err := p.Snapshot(ctx, sol)
	if err != nil {
		t.Fatal(err)
	}
	r, ok := snap.Release("A", v)
	if !ok || len(r.Files) == 0 || r.Metadata == nil || r.Index == "" {
		t.Fatalf("snapshot of a==2.0.0 = %+v, %v; want files, metadata and index", r, ok)
	}
	first := r.Files[0].Filename
	if _, ok := snap.Release("a", pep440.MustParse("1.0.0")); ok {
		t.Error("a==1.0.0 was not chosen but is in the snapshot")
	}

	// Changing the provider's memo or a returned release leaves the snapshot alone.
	pr, _ := p.project(ctx, "a")
	pr.releases["2.0.0"].files[0].Filename = "changed"
	p.meta["a==2.0.0"].RequiresPython = "changed"
	r.Files[0].Filename = "changed too"
	r.Metadata.RequiresPython = "changed too"
	again, _ := snap.Release("a", v)
	if again.Files[0].Filename != first || again.Metadata.RequiresPython == "changed" || again.Metadata.RequiresPython == "changed too" {
		t.Errorf("snapshot changed: %q, requires-python %q", again.Files[0].Filename, again.Metadata.RequiresPython)
	}

	if _, err := p.Snapshot(ctx, &resolver.Result{Packages: []resolver.Package{{Name: "a", Version: pep440.MustParse("9.0")}}}); err == nil {
		t.Error("a version the index does not list: no error")
	}
}

// TestStartPrefetchJoins checks that stop returns only once every
// prefetch goroutine has, and that hints after stop start nothing.
func TestStartPrefetchJoins(t *testing.T) {
	p := basicProvider(t, fakeindex.Options{Latency: 100 * time.Millisecond}) // fetches still in flight at stop
	ctx := context.Background()
	if _, err := p.Candidates(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	stop := p.StartPrefetch(ctx)
	p.Prefetch("a", pep440.MustParse("1.0.0"), pep440.MustParse("2.0.0"))
	for queued := true; queued; { // until the loop has taken the hints
		time.Sleep(time.Millisecond)
		p.mu.Lock()
		queued = len(p.hints) > 0
		p.mu.Unlock()
	}
	time.Sleep(10 * time.Millisecond)
	stop()
	stop() // idempotent
	p.Prefetch("a", pep440.MustParse("1.0.0"))
	buf := make([]byte, 1<<20)
	stacks := string(buf[:runtime.Stack(buf, true)])
	for _, fn := range []string{"(*Provider).prefetchLoop", "(*Provider).StartPrefetch"} {
		if strings.Contains(stacks, fn) {
			t.Errorf("a goroutine in %s outlives stop:\n%s", fn, stacks)
		}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.hints) != 0 || p.wake != nil {
		t.Errorf("hints queued after stop: %v", p.hints)
	}
}
