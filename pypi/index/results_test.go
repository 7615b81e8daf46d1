package index

import (
	"context"
	"encoding/binary"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/pylock/pylock/internal/fakeindex"
)

// CachedPages names the pages entries a client answered from, only when
// nothing else answered; PagesUnchanged tells whether those entries are
// still the same and fresh.
func TestCachedPages(t *testing.T) {
	s := fakeindex.New(testIndex(), fakeindex.Options{})
	defer s.Close()
	dir := t.TempDir()
	projects := func(c *Client) {
		t.Helper()
		for _, n := range []string{"qux", "foo-bar"} {
			if _, err := c.Project(context.Background(), n); err != nil {
				t.Fatal(err)
			}
		}
	}
	cold := newClient(t, Options{IndexURL: s.SimpleURL(), CacheDir: dir})
	projects(cold)
	if _, ok := cold.CachedPages(); ok {
		t.Error("a client that sent requests reports its pages as cached")
	}
	cold.Close()

	warm := newClient(t, Options{IndexURL: s.SimpleURL(), CacheDir: dir})
	projects(warm)
	pages, ok := warm.CachedPages()
	if !ok || len(pages) != 2 {
		t.Fatalf("CachedPages = %v, %v; want the two pages entries", pages, ok)
	}
	for _, p := range pages {
		data, err := os.ReadFile(filepath.Join(dir, pagesDir, p.Name))
		if err != nil || binary.LittleEndian.Uint32(data[len(pagesMagic):]) != p.CRC {
			t.Errorf("%s: CRC %08x does not match the entry (%v)", p.Name, p.CRC, err)
		}
	}
	now := time.Now()
	if !PagesUnchanged(dir, pages, now, false) {
		t.Error("fresh, untouched entries reported changed")
	}
	if PagesUnchanged(dir, pages, now.Add(time.Hour), false) {
		t.Error("entries past their max-age reported unchanged online")
	}
	if !PagesUnchanged(dir, pages, now.Add(time.Hour), true) {
		t.Error("stale entries reported changed offline")
	}
	if PagesUnchanged(dir, append(pages, CachedPage{Name: "../" + pages[0].Name, CRC: pages[0].CRC}), now, false) {
		t.Error("a name outside the pages directory accepted")
	}

	// A revalidation that moves an entry's freshness rewrites it: changed.
	re := newClient(t, Options{IndexURL: s.SimpleURL(), CacheDir: dir, Refresh: true})
	re.cache.now = func() time.Time { return now.Add(10 * time.Second) }
	if _, err := re.Project(context.Background(), "qux"); err != nil {
		t.Fatal(err)
	}
	re.Close()
	if PagesUnchanged(dir, pages, now.Add(20*time.Second), false) {
		t.Error("a rewritten entry reported unchanged")
	}
	os.Remove(filepath.Join(dir, pagesDir, pages[1].Name))
	if PagesUnchanged(dir, pages[1:], now, false) {
		t.Error("a removed entry reported unchanged")
	}

	// Pages from elsewhere: a local directory index.
	local := newClient(t, Options{IndexURL: writeLocalIndex(t), CacheDir: dir})
	if _, err := local.Project(context.Background(), "qux"); err != nil {
		t.Fatal(err)
	}
	if _, ok := local.CachedPages(); ok {
		t.Error("a local directory's pages reported as cache entries")
	}
}

// writeLocalIndex writes a directory index holding qux 2.0's wheel.
func writeLocalIndex(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "qux"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "qux", "qux-2.0-py3-none-any.whl"), []byte("PK"), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// StoreResult and LoadResult round-trip a result; bad keys and damaged
// entries give nothing.
func TestStoredResults(t *testing.T) {
	dir := t.TempDir()
	c := newClient(t, Options{IndexURL: "http://127.0.0.1:1/simple/", CacheDir: dir})
	c.StoreResult("k-1", []byte("result one"))
	c.StoreResult("../escape", []byte("no"))
	c.Close()
	if got, ok := LoadResult(dir, "k-1"); !ok || string(got) != "result one" {
		t.Errorf("LoadResult = %q, %v", got, ok)
	}
	for _, k := range []string{"", "../escape", "k-2", "a/b"} {
		if _, ok := LoadResult(dir, k); ok {
			t.Errorf("LoadResult(%q) found something", k)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "escape")); err == nil {
		t.Error("a bad key was stored outside the results directory")
	}
	p := filepath.Join(dir, resultsDir, "k-1")
	data, _ := os.ReadFile(p)
	data[len(data)-1] ^= 1
	os.WriteFile(p, data, 0o644)
	if _, ok := LoadResult(dir, "k-1"); ok {
		t.Error("a damaged result was loaded")
	}
	if n, err := CheckCache(dir); err == nil {
		t.Errorf("CheckCache passed a damaged result (%d entries)", n)
	}
}

// peekPageBytes reads what decodePage reads from the same bytes, and
// never panics on others.
func FuzzPeekPage(f *testing.F) {
	hdr := cacheHeader{Key: "k", URL: "http://x/", ETag: `"e"`, Stored: 1, MaxAge: 600, Status: 200}
	f.Add(encodePage(hdr, []File{fullFile(), {Filename: "b", URL: "u"}}))
	f.Add([]byte(pagesMagic + "\x00\x00\x00\x00"))
	f.Fuzz(func(t *testing.T, data []byte) {
		h, crc, ok := peekPageBytes(data)
		_, full, err := decodePage(data)
		if err != nil {
			return
		}
		if !ok || h != full || crc != binary.LittleEndian.Uint32(data[len(pagesMagic):]) {
			t.Fatalf("peek %+v %08x %v, decode %+v", h, crc, ok, full)
		}
	})
}
