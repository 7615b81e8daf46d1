package pylock_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pylock/pylock"
	"github.com/pylock/pylock/pypi/target"
)

// settle resolves p until its result is reused.
func (p *reuseProject) settle() {
	p.t.Helper()
	p.resolve()
	p.resolve()
	if !p.resolve() {
		p.t.Fatal("no reuse")
	}
}

func glob(t *testing.T, pattern string) []string {
	t.Helper()
	m, err := filepath.Glob(pattern)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func mkfile(t *testing.T, path, data string, mtime time.Time) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	if !mtime.IsZero() {
		if err := os.Chtimes(path, mtime, mtime); err != nil {
			t.Fatal(err)
		}
	}
}

// PruneCache removes older layouts, stale temporary files and results that
// can no longer be reused, and nothing a run still uses: a result whose
// pages are intact is reused afterwards without a request.
func TestPruneCache(t *testing.T) {
	q := newReuseProject(t, reuseIndex(false))
	q.write("b\n")
	q.settle() // a result computed from b's page alone
	pagesOfB := glob(t, filepath.Join(q.cache, "pages-v3", "*"))
	resultOfB := glob(t, filepath.Join(q.cache, "results-v1", "*"))
	if len(pagesOfB) != 1 || len(resultOfB) != 1 {
		t.Fatalf("pages %v, results %v after resolving b", pagesOfB, resultOfB)
	}
	dir := filepath.Dir(q.reqs)
	p := &reuseProject{t: t, srv: q.srv, reqs: filepath.Join(dir, "a.txt"), lock: filepath.Join(dir, "a.toml"), cache: q.cache}
	p.write("a\n")
	p.settle() // a result computed from a's and b's pages
	var pageOfA, resultOfA string
	for _, e := range glob(t, filepath.Join(q.cache, "pages-v3", "*")) {
		if !slices.Contains(pagesOfB, e) {
			pageOfA = e
		}
	}
	for _, e := range glob(t, filepath.Join(q.cache, "results-v1", "*")) {
		if !slices.Contains(resultOfB, e) {
			resultOfA = e
		}
	}
	if pageOfA == "" || resultOfA == "" {
		t.Fatal("resolving a stored no page or result of its own")
	}
	os.Remove(pageOfA) // a's result can never be reused now

	now := time.Now()
	c := q.cache
	mkfile(t, filepath.Join(c, "http-v3", "ab", "entry"), "old layout", time.Time{})
	mkfile(t, filepath.Join(c, "pages-v2", "entry"), "old layout", time.Time{})
	mkfile(t, filepath.Join(c, "prefs-v0", "entry"), "old layout", time.Time{})
	mkfile(t, filepath.Join(c, "interp-v0", "entry"), "old layout", time.Time{})
	mkfile(t, filepath.Join(c, target.ProbeNamespace, "entry"), "an interpreter's probe", time.Time{})
	mkfile(t, filepath.Join(c, "pages-v9", "entry"), "a newer pylock's", time.Time{})
	mkfile(t, filepath.Join(c, "pages-v3", ".tmp-1"), "killed process", now.Add(-2*time.Hour))
	mkfile(t, filepath.Join(c, "tmp-v1", "download-1"), "killed process", now.Add(-3*time.Hour))
	mkfile(t, filepath.Join(c, "meta-v3", ".tmp-2"), "a live process's", now.Add(-time.Minute))
	want := []string{
		filepath.Join(c, "http-v3"), filepath.Join(c, "pages-v2"), filepath.Join(c, "prefs-v0"), filepath.Join(c, "interp-v0"),
		filepath.Join(c, "pages-v3", ".tmp-1"), filepath.Join(c, "tmp-v1", "download-1"), resultOfA,
	}
	slices.Sort(want)
	wantFiles := len(want)
	var wantBytes int64
	for _, w := range want {
		filepath.Walk(w, func(_ string, fi os.FileInfo, err error) error {
			if err == nil && fi.Mode().IsRegular() {
				wantBytes += fi.Size()
			}
			return nil
		})
	}

	dry, err := pylock.PruneCache(c, now, true)
	if err != nil {
		t.Fatal(err)
	}
	got := slices.Sorted(slices.Values(dry.Paths))
	if !slices.Equal(got, want) || dry.Files != wantFiles || dry.Bytes != wantBytes {
		t.Errorf("dry run: %v, %d files, %d bytes\nwant %v, %d files, %d bytes", got, dry.Files, dry.Bytes, want, wantFiles, wantBytes)
	}
	for _, w := range want {
		if _, err := os.Stat(w); err != nil {
			t.Errorf("the dry run removed %s", w)
		}
	}

	rep, err := pylock.PruneCache(c, now, false)
	if err != nil {
		t.Fatal(err)
	}
	if got := slices.Sorted(slices.Values(rep.Paths)); !slices.Equal(got, want) {
		t.Errorf("removed %v, want %v", got, want)
	}
	for _, w := range want {
		if _, err := os.Stat(w); err == nil {
			t.Errorf("%s is still there", w)
		}
	}
	for _, keep := range []string{filepath.Join(c, "pages-v9", "entry"), filepath.Join(c, "meta-v3", ".tmp-2"), resultOfB[0], pagesOfB[0]} {
		if _, err := os.Stat(keep); err != nil {
			t.Errorf("%s was removed", keep)
		}
	}
	q.srv.ResetStats()
	if !q.resolve() {
		t.Error("b's result, intact, is not reused after pruning")
	}
	if n := q.srv.Stats().Requests; n != 0 {
		t.Errorf("reusing b's result sent %d requests", n)
	}
	if again, err := pylock.PruneCache(c, now, false); err != nil || len(again.Paths) != 0 {
		t.Errorf("a second prune removed %v (%v)", again.Paths, err)
	}
}

// CleanCache removes the whole cache, and nothing of a directory that
// holds what pylock does not create (--cache-dir ~ by mistake).
func TestCleanCache(t *testing.T) {
	p := newReuseProject(t, reuseIndex(false))
	p.resolve()
	rep, err := pylock.CleanCache(p.cache, false)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Files == 0 || rep.Bytes == 0 {
		t.Errorf("report %+v: no files counted", rep)
	}
	if _, err := os.Stat(p.cache); err == nil {
		t.Error("the cache is still there")
	}
	if rep, err := pylock.CleanCache(p.cache, false); err != nil || len(rep.Paths) != 0 {
		t.Errorf("cleaning a missing cache: %+v, %v", rep, err)
	}

	home := t.TempDir()
	mkfile(t, filepath.Join(home, "pages-v3", "entry"), "x", time.Time{})
	mkfile(t, filepath.Join(home, "notes.txt"), "mine", time.Time{})
	for name, f := range map[string]func() (pylock.CacheReport, error){
		"clean": func() (pylock.CacheReport, error) { return pylock.CleanCache(home, false) },
		"prune": func() (pylock.CacheReport, error) { return pylock.PruneCache(home, time.Now(), false) },
	} {
		if _, err := f(); err == nil || !strings.Contains(err.Error(), "notes.txt") {
			t.Errorf("%s of a foreign directory: %v", name, err)
		}
	}
	for _, f := range []string{"notes.txt", filepath.Join("pages-v3", "entry")} {
		if _, err := os.Stat(filepath.Join(home, f)); err != nil {
			t.Errorf("%s was removed from a foreign directory", f)
		}
	}
}
