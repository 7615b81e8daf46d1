package index

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/pylock/pylock/internal/fakeindex"
)

// fullFile has every field of File set, so that a field added to File but
// not to the pages layout fails TestPageEntryRoundTrip.
func fullFile() File {
	return File{
		Filename:           "foo_bar-1.0-py3-none-any.whl",
		URL:                "https://files.example/foo_bar-1.0-py3-none-any.whl",
		Hashes:             map[string]string{"sha256": "ab01", "md5": "cd"},
		Size:               1234,
		RequiresPython:     ">=3.8",
		Yanked:             true,
		YankedReason:       "broken <b>",
		UploadTime:         time.Date(2020, 1, 2, 3, 4, 5, 600, time.FixedZone("", 3600)),
		CoreMetadata:       true,
		CoreMetadataHashes: map[string]string{"sha256": "ef"},
		Index:              "https://index.example/simple",
		Reject:             "file:// URL on a remote index",
	}
}

func TestPageEntryRoundTrip(t *testing.T) {
	full := fullFile()
	v := reflect.ValueOf(full)
	for i := range v.NumField() {
		if v.Field(i).IsZero() {
			t.Fatalf("fullFile leaves File.%s unset: encode it in pagecache.go and set it here", v.Type().Field(i).Name)
		}
	}
	utc := File{Filename: "a-1.tar.gz", URL: "http://x/a-1.tar.gz", Hashes: map[string]string{}, Size: -1,
		UploadTime: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)}
	bare := File{Filename: "b-1.zip", URL: "http://x/b-1.zip"} // nil maps stay nil
	hdr := cacheHeader{Key: "http://x/simple/foo/\x00accept", URL: "http://x/simple/foo/", ETag: `"e"`,
		LastModified: "Mon, 01 Jan 2024 00:00:00 GMT", Stored: 1700000000, MaxAge: 600, ContentType: ctSimpleJSON,
		Status: 200, Immutable: true}
	for _, files := range [][]File{{full, utc, bare}, {}, nil} {
		data := encodePage(hdr, files)
		got, gotHdr, err := decodePage(data)
		if err != nil {
			t.Fatal(err)
		}
		if len(files) == 0 {
			files = []File{}
		}
		if diff := cmp.Diff(files, got); diff != "" {
			t.Errorf("files (-want +got):\n%s", diff)
		}
		if gotHdr != hdr {
			t.Errorf("header %+v, want %+v", gotHdr, hdr)
		}
		if err := checkEntry(data); err != nil {
			t.Error(err)
		}
	}
	// Time zones survive as offsets.
	got, _, _ := decodePage(encodePage(hdr, []File{full}))
	if !got[0].UploadTime.Equal(full.UploadTime) || got[0].UploadTime.Format(time.RFC3339Nano) != full.UploadTime.Format(time.RFC3339Nano) {
		t.Errorf("upload time %v, want %v", got[0].UploadTime, full.UploadTime)
	}
}

// Every truncation and every flipped byte of an entry is detected.
func TestTornEntriesDetected(t *testing.T) {
	hdr := cacheHeader{Key: "k", URL: "http://x/", Stored: 1, MaxAge: 600, Status: 200}
	for name, data := range map[string][]byte{
		"http":  encodeEntry(hdr, []byte("body bytes")),
		"pages": encodePage(hdr, []File{fullFile()}),
	} {
		if err := checkEntry(data); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for n := range len(data) {
			if err := checkEntry(data[:n]); err == nil {
				t.Errorf("%s: entry torn at %d of %d bytes accepted", name, n, len(data))
			}
		}
		for i := range data {
			b := append([]byte(nil), data...)
			b[i] ^= 0x10
			if err := checkEntry(b); err == nil {
				t.Errorf("%s: byte %d flipped accepted", name, i)
			}
		}
	}
}

// Older layouts are ignored, not misread: a v1 cache directory is not read.
func TestOldCacheLayoutIgnored(t *testing.T) {
	s := fakeindex.New(testIndex(), fakeindex.Options{})
	defer s.Close()
	dir := t.TempDir()
	c := newClient(t, Options{IndexURL: s.SimpleURL(), CacheDir: dir})
	if _, err := c.Project(context.Background(), "qux"); err != nil {
		t.Fatal(err)
	}
	c.Close() // its cache stores have landed
	// Move the entries where a v1 pylock kept them: a new client misses.
	for _, sub := range []string{httpDir, pagesDir} {
		if err := os.Rename(filepath.Join(dir, sub), filepath.Join(dir, strings.Replace(sub, "-v", "-old", 1))); err != nil {
			t.Fatal(err)
		}
	}
	s.ResetStats()
	c = newClient(t, Options{IndexURL: s.SimpleURL(), CacheDir: dir})
	if _, err := c.Project(context.Background(), "qux"); err != nil {
		t.Fatal(err)
	}
	if n := s.Stats().Requests; n != 1 {
		t.Errorf("%d requests, want 1", n)
	}
}

// projectCached serves the test index with o and fetches project name's
// page through a client caching in dir, a new temporary directory; the
// client is closed (its cache stores have landed).
func projectCached(t *testing.T, o fakeindex.Options, name string) (s *fakeindex.Server, dir string, p *Project) {
	t.Helper()
	s = fakeindex.New(testIndex(), o)
	t.Cleanup(s.Close)
	dir = t.TempDir()
	c := newClient(t, Options{IndexURL: s.SimpleURL(), CacheDir: dir})
	p, err := c.Project(context.Background(), name)
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
	return s, dir, p
}

// A torn or damaged pages entry is removed, reported and rebuilt by
// refetching the page (the raw page is not kept); the rebuilt entry then
// serves the next client without a request.
func TestTornPageEntryRebuilt(t *testing.T) {
	s, dir, want := projectCached(t, fakeindex.Options{}, "foo-bar")
	pages, _ := filepath.Glob(filepath.Join(dir, pagesDir, "*"))
	if len(pages) != 1 {
		t.Fatalf("pages entries %v", pages)
	}
	data, err := os.ReadFile(pages[0])
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{0, 10, len(data) / 2, len(data) - 1} {
		if err := os.WriteFile(pages[0], data[:n], 0o644); err != nil {
			t.Fatal(err)
		}
		s.ResetStats()
		var kinds []string
		c := newClient(t, Options{IndexURL: s.SimpleURL(), CacheDir: dir, Events: func(e Event) { kinds = append(kinds, e.Kind) }})
		got, err := c.Project(context.Background(), "foo-bar")
		if err != nil {
			t.Fatal(err)
		}
		c.Close() // the rebuilt entry has landed
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("torn at %d: (-want +got):\n%s", n, diff)
		}
		if !strings.Contains(strings.Join(kinds, " "), "cache-corrupt") {
			t.Errorf("torn at %d: events %v", n, kinds)
		}
		if r := s.Stats().Requests; r != 1 {
			t.Errorf("torn at %d: %d requests, want 1 (the refetch)", n, r)
		}
		again, err := os.ReadFile(pages[0])
		if err != nil || checkEntry(again) != nil {
			t.Fatalf("torn at %d: pages entry not rebuilt (%v)", n, err)
		}
		s.ResetStats()
		c = newClient(t, Options{IndexURL: s.SimpleURL(), CacheDir: dir})
		if _, err := c.Project(context.Background(), "foo-bar"); err != nil || s.Stats().Requests != 0 {
			t.Errorf("torn at %d: rebuilt entry not used (%v, %d requests)", n, err, s.Stats().Requests)
		}
	}
}

// A project page is cached as one file in a flat directory (no HTTP entry
// beside it, no sub-directory): a cold run creates as few inodes as it
// can. A stale entry is revalidated with its own validators, and a 304
// keeps its files and restarts its freshness.
func TestPageIsOneFlatEntry(t *testing.T) {
	s, dir, want := projectCached(t, fakeindex.Options{PageCacheControl: "max-age=0"}, "qux")
	var files, dirs []string
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || p == dir {
			return nil
		}
		rel, _ := filepath.Rel(dir, p)
		if d.IsDir() {
			dirs = append(dirs, rel)
		} else {
			files = append(files, rel)
		}
		return nil
	})
	if len(files) != 1 || filepath.Dir(files[0]) != pagesDir {
		t.Errorf("cache files %v, want one in %s/", files, pagesDir)
	}
	if !slices.Equal(dirs, []string{httpDir, metaDir, pagesDir}) {
		t.Errorf("cache directories %v, want only the three top ones", dirs)
	}
	before, _ := os.ReadFile(filepath.Join(dir, files[0]))
	_, hdr, err := decodePage(before)
	if err != nil || hdr.ETag == "" {
		t.Fatalf("pages entry header %+v (%v): want the response's validators", hdr, err)
	}
	s.ResetStats()
	c := newClient(t, Options{IndexURL: s.SimpleURL(), CacheDir: dir})
	c.cache.now = func() time.Time { return time.Unix(hdr.Stored+100, 0) }
	got, err := c.Project(context.Background(), "qux")
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("revalidated page (-want +got):\n%s", diff)
	}
	if st := s.Stats(); st.Requests != 1 || st.ByStatus[304] != 1 || c.Stats().Revalidated != 1 {
		t.Errorf("revalidation: server %+v, client %+v", st, c.Stats())
	}
	if l := s.Log(); len(l) != 1 || l[0].IfNoneMatch != hdr.ETag {
		t.Errorf("revalidation request %+v, want If-None-Match %s", l, hdr.ETag)
	}
	after, _ := os.ReadFile(filepath.Join(dir, files[0]))
	_, hdr2, err := decodePage(after)
	if err != nil || hdr2.Stored != hdr.Stored+100 || hdr2.ETag != hdr.ETag {
		t.Errorf("after the 304 the entry's header is %+v (%v), want stored %d", hdr2, err, hdr.Stored+100)
	}
}

func FuzzCacheEntry(f *testing.F) {
	hdr := cacheHeader{Key: "k", URL: "http://x/", Stored: 1, MaxAge: 600, Status: 200}
	f.Add(encodeEntry(hdr, []byte("body")))
	page := encodePage(hdr, []File{fullFile(), {Filename: "b", URL: "u"}})
	f.Add(page)
	f.Add(page[len(pagesMagic)+4:])
	f.Fuzz(func(t *testing.T, data []byte) {
		// As given, and with a valid checksum so that the fields are parsed.
		for _, m := range []string{pagesMagic, entryMagic} {
			if !strings.HasPrefix(string(data), m) {
				sealed := sealEntry(append([]byte(m+"\x00\x00\x00\x00"), data...), len(m))
				checkEntry(sealed)
			}
		}
		if files, h, err := decodePage(data); err == nil {
			// What decodes re-encodes to the same files.
			again, h2, err := decodePage(encodePage(h, files))
			if err != nil || h2 != h || !cmp.Equal(files, again) {
				t.Fatalf("round trip: %v", err)
			}
		}
		if e, err := parseEntry(data); err == nil {
			if got := encodeEntry(e.hdr, e.body); string(got) != string(data) {
				t.Fatalf("entry does not re-encode to itself")
			}
		}
	})
}

// Cache stores run beside the fetch that made them: a client made after
// another client's fetch (without Close) still finds what it stored, and a
// store that fails costs only the caching, reported once as a warning.
func TestCacheStoresInBackground(t *testing.T) {
	s, dir, _ := quxCached(t) // not closed: its stores may be in flight
	s.ResetStats()
	c2 := newClient(t, Options{IndexURL: s.SimpleURL(), CacheDir: dir})
	if _, err := metadataOf(t, c2, "qux", "qux-2.0-py3-none-any.whl"); err != nil {
		t.Fatal(err)
	}
	if n := s.Stats().Requests; n != 0 {
		t.Errorf("a client made after another's fetch made %d requests, want 0", n)
	}

	// A cache that refuses every store: the answers are good and nothing is
	// stored.
	broken := t.TempDir()
	createTemp = func(string, string) (*os.File, error) { return nil, errors.New("disk full") }
	defer func() { createTemp = os.CreateTemp }()
	var mu sync.Mutex
	var warnings []string
	c3 := newClient(t, Options{IndexURL: s.SimpleURL(), CacheDir: broken, Events: func(e Event) {
		if e.Kind == "warning" {
			mu.Lock()
			warnings = append(warnings, e.Message)
			mu.Unlock()
		}
	}})
	for _, n := range []string{"qux", "foo-bar", "baz"} {
		if _, err := c3.Project(context.Background(), n); err != nil {
			t.Fatalf("%s with an unwritable cache: %v", n, err)
		}
	}
	c3.Close()
	mu.Lock()
	defer mu.Unlock()
	if len(warnings) != 1 || !strings.Contains(warnings[0], "cannot store in the cache") || !strings.Contains(warnings[0], "disk full") {
		t.Errorf("warnings %q, want one about the cache", warnings)
	}
	var stored []string
	filepath.WalkDir(broken, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			stored = append(stored, p)
		}
		return nil
	})
	if len(stored) != 0 {
		t.Errorf("stored %v with every store failing", stored)
	}
}

// A client's cache stores are written one at a time (many goroutines
// creating files in one directory spin on its lock in the kernel), and all
// of them land by Close.
func TestStoresOneAtATime(t *testing.T) {
	var mu sync.Mutex
	var inFlight, most int
	createTemp = func(dir, pattern string) (*os.File, error) {
		mu.Lock()
		inFlight++
		most = max(most, inFlight)
		mu.Unlock()
		time.Sleep(time.Millisecond) // long enough for concurrent stores to overlap
		mu.Lock()
		inFlight--
		mu.Unlock()
		return os.CreateTemp(dir, pattern)
	}
	defer func() { createTemp = os.CreateTemp }()
	dir := t.TempDir()
	c := newClient(t, Options{IndexURL: "http://127.0.0.1:1/simple/", CacheDir: dir})
	var want []string
	for i := range 20 {
		p := filepath.Join(dir, metaDir, fmt.Sprintf("entry-%02d", i))
		want = append(want, p)
		c.cacheStore(p, []byte{byte(i)})
	}
	c.Close()
	if most != 1 {
		t.Errorf("%d stores ran at once, want 1", most)
	}
	var stored []string
	filepath.WalkDir(filepath.Join(dir, metaDir), func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			stored = append(stored, p)
		}
		return nil
	})
	if !slices.Equal(stored, want) {
		t.Errorf("stored %q, want %q", stored, want)
	}
}

// settle waits for the cache stores started before it, not for those
// started while it waits (another client fetching meanwhile must not keep
// a new Client waiting), and Close waits for its own client's stores.
func TestSettleWaitsForEarlierStores(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		d := &diskCache{dir: t.TempDir(), now: time.Now}
		gates := map[string]chan struct{}{"first": make(chan struct{}), "second": make(chan struct{})}
		createTemp = func(dir, pattern string) (*os.File, error) {
			<-gates[filepath.Base(dir)]
			return os.CreateTemp(dir, pattern)
		}
		defer func() { createTemp = os.CreateTemp }()
		var wg1, wg2 sync.WaitGroup
		var q1, q2 storeQueue // two clients'
		fail := func(err error) { t.Errorf("store failed: %v", err) }
		q1.add(d, filepath.Join(d.dir, "first", "a"), []byte("1"), &wg1, fail)
		settled := make(chan struct{})
		go func() { settle(); close(settled) }()
		synctest.Wait()
		select {
		case <-settled:
			t.Fatal("settle returned before the earlier store landed")
		default:
		}
		q2.add(d, filepath.Join(d.dir, "second", "b"), []byte("2"), &wg2, fail)
		close(gates["first"])
		synctest.Wait()
		select {
		case <-settled:
		default:
			t.Fatal("settle waits for a store started after it")
		}
		wg1.Wait()
		if b, err := os.ReadFile(filepath.Join(d.dir, "first", "a")); err != nil || string(b) != "1" {
			t.Errorf("first store: %q, %v", b, err)
		}
		close(gates["second"])
		wg2.Wait()
		if b, err := os.ReadFile(filepath.Join(d.dir, "second", "b")); err != nil || string(b) != "2" {
			t.Errorf("second store: %q, %v", b, err)
		}
	})
}
