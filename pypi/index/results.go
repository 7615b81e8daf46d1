package index

import (
	"encoding/binary"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"
)

// Memoized results (results-v1). A caller that computes something from
// nothing but project pages (a resolution: the metadata it reads is
// content-addressed by hashes those pages give) can store the result under
// a key of its own and, next time, reuse it when every pages entry it was
// computed from is still the same entry, byte for byte, and fresh: the
// pages entry names and CRC-32s come from CachedPages, the check from
// PagesUnchanged. A page rewritten since (revalidated, refetched) has a
// new freshness time and so a new CRC: the result is then computed again.

// resultsDir holds memoized results, one entry per key, in the entry
// format of http-v4 (the body is the caller's).
const resultsDir = "results-v1"

// CachedPage is a pages entry a client answered a project page from, by
// its file name in the cache, with the entry's CRC-32.
type CachedPage struct {
	Name string
	CRC  uint32
}

// consultLog records where a client's project pages came from.
type consultLog struct {
	mu    sync.Mutex
	pages map[string]uint32
	other bool // a page came from elsewhere: the network, a local directory, find-links, the JSON API
}

func (l *consultLog) page(name string, crc uint32) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.pages == nil {
		l.pages = map[string]uint32{}
	}
	l.pages[name] = crc
}

func (l *consultLog) elsewhere() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.other = true
}

// CachedPages returns the pages entries that answered every project page
// this client listed, sorted by name, when nothing else did: no request
// was sent, and no page came from a local directory index, find-links or
// the JSON API. ok is false otherwise, and without a cache.
func (c *Client) CachedPages() (pages []CachedPage, ok bool) {
	if c.cache == nil || c.Stats().Requests > 0 {
		return nil, false
	}
	c.consult.mu.Lock()
	defer c.consult.mu.Unlock()
	if c.consult.other {
		return nil, false
	}
	for n, crc := range c.consult.pages {
		pages = append(pages, CachedPage{n, crc})
	}
	slices.SortFunc(pages, func(a, b CachedPage) int { return strings.Compare(a.Name, b.Name) })
	return pages, true
}

// StoreResult stores data as the memoized result for key (a file name:
// letters, digits, '-' and '_'), in the background like the client's other
// cache entries. It does nothing without a cache or with a bad key.
func (c *Client) StoreResult(key string, data []byte) {
	if c.cache == nil || !resultKeyOK(key) {
		return
	}
	hdr := cacheHeader{Key: key, Stored: c.cache.now().Unix(), Status: 200, Immutable: true}
	c.cacheStore(filepath.Join(c.cache.dir, resultsDir, key), encodeEntry(hdr, data))
}

// LoadResult returns the result stored for key in the cache at dir, or
// false when there is none or it is damaged.
func LoadResult(dir, key string) ([]byte, bool) {
	if dir == "" || !resultKeyOK(key) {
		return nil, false
	}
	data, err := readCacheFile(filepath.Join(dir, resultsDir, key))
	if err != nil {
		return nil, false
	}
	e, err := parseEntry(data)
	if err != nil || e.hdr.Key != key {
		return nil, false
	}
	return e.body, true
}

func resultKeyOK(key string) bool {
	if key == "" || len(key) > 128 {
		return false
	}
	for _, r := range key {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

// PagesUnchanged reports whether every one of pages is still in the cache
// at dir as the same entry (its CRC-32) and fresh at now (any age when
// offline). It reads only the start of each entry.
func PagesUnchanged(dir string, pages []CachedPage, now time.Time, offline bool) bool {
	if dir == "" {
		return false
	}
	buf := make([]byte, 2048)
	for _, p := range pages {
		if p.Name == "" || strings.ContainsAny(p.Name, `/\`) || p.Name[0] == '.' {
			return false
		}
		hdr, crc, ok := peekPage(filepath.Join(dir, pagesDir, p.Name), buf)
		if !ok || crc != p.CRC || !(offline || hdr.fresh(now)) {
			return false
		}
	}
	return true
}

// peekPage reads the header and CRC-32 of the pages entry at path from
// its first bytes (the rest, checked by its CRC when the page is read, is
// not read).
func peekPage(path string, buf []byte) (hdr cacheHeader, crc uint32, ok bool) {
	f, err := os.Open(path)
	if err != nil {
		return hdr, 0, false
	}
	defer f.Close()
	n, err := io.ReadFull(f, buf)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
		return hdr, 0, false
	}
	return peekPageBytes(buf[:n])
}

// peekPageBytes decodes the header and CRC-32 of a pages entry from its
// first bytes b.
func peekPageBytes(b []byte) (hdr cacheHeader, crc uint32, ok bool) {
	start := len(pagesMagic) + 4
	if len(b) < start || string(b[:len(pagesMagic)]) != pagesMagic {
		return hdr, 0, false
	}
	d := &entryDecoder{b: b[start:]}
	d.header(&hdr)
	if d.err != nil {
		return hdr, 0, false
	}
	return hdr, binary.LittleEndian.Uint32(b[len(pagesMagic):start]), true
}
