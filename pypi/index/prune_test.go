package index

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

func TestOldLayouts(t *testing.T) {
	dir := t.TempDir()
	for _, d := range []string{"http-v2", "http-v4", "http-v5", "pages-v1", "pages-v3", "meta-v10", "results-v1", "prefs-v0", "git", "other-v1", "tmp-v1"} {
		if err := os.Mkdir(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	os.WriteFile(filepath.Join(dir, "meta-v2"), nil, 0o644) // a file, not a layout
	for _, tc := range []struct {
		current []string
		want    []string
	}{
		{[]string{"http-v4", "pages-v3", "meta-v3", "results-v1", "tmp-v1"}, []string{"http-v2", "pages-v1"}},
		{[]string{"http-v4", "prefs-v1"}, []string{"http-v2", "prefs-v0"}},
		{[]string{"meta-v11"}, []string{"meta-v10"}},
		{[]string{"http-v1"}, nil}, // http-v2..v5 are newer: kept
		{nil, nil},
	} {
		got, err := OldLayouts(dir, tc.current)
		if err != nil {
			t.Fatal(err)
		}
		slices.Sort(got)
		if !slices.Equal(got, tc.want) {
			t.Errorf("OldLayouts(%v) = %v, want %v", tc.current, got, tc.want)
		}
	}
	if _, err := OldLayouts(dir, []string{"pages"}); err == nil {
		t.Error("a namespace without a version was accepted")
	}
	if got, err := OldLayouts(filepath.Join(dir, "missing"), Namespaces()); err != nil || got != nil {
		t.Errorf("a missing cache: %v, %v", got, err)
	}
}

func TestStaleTemps(t *testing.T) {
	dir := t.TempDir()
	now := time.Now()
	files := map[string]time.Duration{
		"pages-v3/.tmp-1":     2 * time.Hour, // stale
		"pages-v3/.tmp-2":     time.Minute,   // a live process's
		"pages-v3/entry":      5 * time.Hour, // an entry, however old
		"tmp-v1/download-1":   3 * time.Hour, // stale spool file
		"pages-v2/.tmp-3":     5 * time.Hour, // an old layout: pruned whole, not here
		"results-v1/.tmp-abc": 90 * time.Minute,
	}
	for f, age := range files {
		p := filepath.Join(dir, f)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
		os.Chtimes(p, now.Add(-age), now.Add(-age))
	}
	got, err := StaleTemps(dir, now.Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	for i := range got {
		got[i], _ = filepath.Rel(dir, got[i])
		got[i] = filepath.ToSlash(got[i])
	}
	slices.Sort(got)
	want := []string{"pages-v3/.tmp-1", "results-v1/.tmp-abc", "tmp-v1/download-1"}
	if !slices.Equal(got, want) {
		t.Errorf("StaleTemps = %v, want %v", got, want)
	}
}
