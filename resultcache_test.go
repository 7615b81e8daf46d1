package pylock_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/pylock/pylock"
	"github.com/pylock/pylock/internal/corpus"
	"github.com/pylock/pylock/internal/fakeindex"
	"github.com/pylock/pylock/lockfile"
	"github.com/pylock/pylock/pypi/inputs"
	"github.com/pylock/pylock/pypi/reqfile"
)

// reuseIndex is a small index: a 1.0 and 2.0, both needing b>=1; b 1.0
// and 1.1.
func reuseIndex(yankA2 bool) *corpus.Index {
	rel := func(v string, req ...string) *corpus.Release {
		return &corpus.Release{Version: v, Requires: req, Wheel: true, WheelTags: []string{"py3-none-any"}}
	}
	a2 := rel("2.0", "b>=1")
	a2.Yanked = yankA2
	return &corpus.Index{Projects: map[string]*corpus.Project{
		"a": {Name: "a", Releases: []*corpus.Release{rel("1.0", "b>=1"), a2}},
		"b": {Name: "b", Releases: []*corpus.Release{rel("1.0"), rel("1.1")}},
	}}
}

// reuseProject is a project directory with a requirements file, a lock
// path and a cache, resolved the way the CLI does (the lock written to
// the path the next run reads its pins from).
type reuseProject struct {
	t                 *testing.T
	srv               *fakeindex.Server
	reqs, lock, cache string
	lastTOML          []byte
}

func newReuseProject(t *testing.T, idx *corpus.Index) *reuseProject {
	dir := t.TempDir()
	srv := fakeindex.New(idx, fakeindex.Options{})
	t.Cleanup(srv.Close)
	p := &reuseProject{t: t, srv: srv, reqs: filepath.Join(dir, "requirements.txt"),
		lock: filepath.Join(dir, "pylock.toml"), cache: filepath.Join(dir, "cache")}
	p.write("a\n")
	return p
}

func (p *reuseProject) write(reqs string) {
	if err := os.WriteFile(p.reqs, []byte(reqs), 0o644); err != nil {
		p.t.Fatal(err)
	}
}

// resolve runs a resolution, writes its lock, and reports whether the
// result was reused (a reused Result has no Resolution).
func (p *reuseProject) resolve(mod ...func(*pylock.Options)) (reused bool) {
	p.t.Helper()
	o := pylock.Options{
		Inputs:       inputs.FromPaths(reqfile.PyprojectOptions{}, p.reqs),
		IndexURL:     p.srv.SimpleURL(),
		Target:       pylock.TargetSpec{PythonVersion: "3.11", Platform: "x86_64-manylinux_2_28"},
		CacheDir:     p.cache,
		PreviousLock: p.lock,
		LockPath:     p.lock,
		ReuseResult:  true,
		Getenv:       func(string) string { return "" },
	}
	for _, m := range mod {
		m(&o)
	}
	res, err := pylock.Resolve(context.Background(), o)
	if err != nil {
		p.t.Fatal(err)
	}
	data, err := res.Lock.MarshalTOML()
	if err != nil {
		p.t.Fatal(err)
	}
	if err := os.WriteFile(p.lock, data, 0o644); err != nil {
		p.t.Fatal(err)
	}
	p.lastTOML = data
	return res.Resolution == nil
}

// locked returns the versions the last lock pins, name==version.
func (p *reuseProject) locked() []string {
	l, err := lockfile.ReadFile(p.lock)
	if err != nil {
		p.t.Fatal(err)
	}
	var out []string
	for _, pk := range l.Packages {
		out = append(out, pk.Name+"=="+pk.Version)
	}
	return out
}

// A run whose options, inputs, previous lock and pages are those of a run
// that read every page from the cache reuses that run's result, and the
// reused result is the one resolving gives.
func TestReuseResultMatchesResolving(t *testing.T) {
	p := newReuseProject(t, reuseIndex(false))
	if p.resolve() {
		t.Fatal("the cold run reused a result")
	}
	if p.resolve() { // warm, but the previous lock is new: resolves and stores its result
		t.Fatal("a run with a new previous lock reused a result")
	}
	stored := p.lastTOML
	p.srv.ResetStats()
	if !p.resolve() {
		t.Fatal("an unchanged run resolved again")
	}
	if string(p.lastTOML) != string(stored) {
		t.Errorf("reused lock:\n%s\nresolved lock:\n%s", p.lastTOML, stored)
	}
	if n := p.srv.Stats().Requests; n != 0 {
		t.Errorf("the reusing run sent %d requests", n)
	}
	// Resolving without reuse gives the same lock.
	if p.resolve(func(o *pylock.Options) { o.ReuseResult = false }) {
		t.Fatal("ReuseResult false reused a result")
	}
	if string(p.lastTOML) != string(stored) {
		t.Errorf("resolving without reuse:\n%s\nthe reused lock:\n%s", p.lastTOML, stored)
	}
	// Offline, the same result is reused (offline resolving reads the same pages).
	if !p.resolve(func(o *pylock.Options) { o.Offline = true }) {
		t.Error("an offline run did not reuse the result")
	}
	if got := p.locked(); !slices.Equal(got, []string{"a==2.0", "b==1.1"}) {
		t.Errorf("locked %v", got)
	}
}

// Whatever the result depends on, changed, makes the next run resolve.
func TestReuseResultInvalidation(t *testing.T) {
	settled := func(t *testing.T) *reuseProject {
		p := newReuseProject(t, reuseIndex(false))
		p.resolve()
		p.resolve()
		if !p.resolve() {
			t.Fatal("no reuse to begin with")
		}
		return p
	}
	cases := []struct {
		name   string
		change func(p *reuseProject) []func(*pylock.Options)
	}{
		{"requirements edited", func(p *reuseProject) []func(*pylock.Options) { p.write("a\n# a comment\n"); return nil }},
		{"previous lock edited", func(p *reuseProject) []func(*pylock.Options) {
			data, _ := os.ReadFile(p.lock)
			os.WriteFile(p.lock, append(data, "\n"...), 0o644)
			return nil
		}},
		{"previous lock removed", func(p *reuseProject) []func(*pylock.Options) { os.Remove(p.lock); return nil }},
		{"an option", func(p *reuseProject) []func(*pylock.Options) {
			return []func(*pylock.Options){func(o *pylock.Options) { o.Resolution = "lowest" }}
		}},
		{"the target", func(p *reuseProject) []func(*pylock.Options) {
			return []func(*pylock.Options){func(o *pylock.Options) { o.Target.PythonVersion = "3.12" }}
		}},
		{"--refresh", func(p *reuseProject) []func(*pylock.Options) {
			return []func(*pylock.Options){func(o *pylock.Options) { o.Refresh = true }}
		}},
		{"a pages entry removed", func(p *reuseProject) []func(*pylock.Options) {
			entries, _ := filepath.Glob(filepath.Join(p.cache, "pages-v3", "*"))
			if len(entries) == 0 {
				t.Fatal("no pages entries")
			}
			os.Remove(entries[0])
			return nil
		}},
		{"the results entry damaged", func(p *reuseProject) []func(*pylock.Options) {
			entries, _ := filepath.Glob(filepath.Join(p.cache, "results-v1", "*"))
			for _, e := range entries {
				data, _ := os.ReadFile(e)
				data[len(data)-2] ^= 1
				os.WriteFile(e, data, 0o644)
			}
			return nil
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := settled(t)
			if p.resolve(tc.change(p)...) {
				t.Errorf("reused a result after: %s", tc.name)
			}
		})
	}
}

// A change on the index, once a refresh has brought it into the cache,
// makes the next run resolve, though its options, inputs and previous lock
// are those of the stored result: a 2.0 yanked, the lock moves to a 1.0.
func TestReuseResultSeesIndexChanges(t *testing.T) {
	p := newReuseProject(t, reuseIndex(false))
	p.resolve()
	p.resolve()
	if !p.resolve() {
		t.Fatal("no reuse to begin with")
	}
	before, err := os.ReadFile(p.lock)
	if err != nil {
		t.Fatal(err)
	}
	p.srv.SetIndex(reuseIndex(true))
	p.resolve(func(o *pylock.Options) { o.Refresh = true }) // rewrites the pages entries
	if got := p.locked(); !slices.Equal(got, []string{"a==1.0", "b==1.1"}) {
		t.Fatalf("after the yank and a refresh: locked %v", got)
	}
	// The previous lock of the stored result again: only the pages differ.
	if err := os.WriteFile(p.lock, before, 0o644); err != nil {
		t.Fatal(err)
	}
	if p.resolve() {
		t.Error("the run after the refresh reused the result from before the yank")
	}
	if got := p.locked(); !slices.Equal(got, []string{"a==1.0", "b==1.1"}) {
		t.Errorf("locked %v, want a==1.0", got)
	}
}
