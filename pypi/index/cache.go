package index

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// diskCache is pylock's on-disk cache. Layout under dir:
//
//	http-v1/<xx>/<sha256(key)>   HTTP responses (pages, JSON API) by URL+Accept
//	meta-v1/<name>               immutable core metadata, content-addressed:
//	                             "<algo>-<hex>" of a PEP 658 file, or
//	                             "file-<algo>-<hex>" for METADATA/PKG-INFO read
//	                             from the distribution with that hash
//
// Every entry is one file: a magic line, a JSON header line (key, validators,
// freshness, size and sha256 of the body) and the body. Writes go to a
// temporary file in the same directory and are renamed into place, so a
// reader (this or another process) sees a whole old or a whole new entry;
// a torn or tampered entry fails its checksum, is removed and refetched.
// Credentials are never written: keys and URLs are redacted.
type diskCache struct {
	dir string
	now func() time.Time
}

const cacheMagic = "pylock-cache-v1\n"

type cacheHeader struct {
	Key          string `json:"key"`
	URL          string `json:"url,omitempty"` // final URL after redirects, redacted
	ETag         string `json:"etag,omitempty"`
	LastModified string `json:"last_modified,omitempty"`
	Stored       int64  `json:"stored"`           // unix seconds
	MaxAge       int64  `json:"max_age"`          // seconds; <= 0 = revalidate every time
	ContentType  string `json:"ctype,omitempty"`  // of the body
	Status       int    `json:"status,omitempty"` // 200
	Size         int    `json:"size"`             // body bytes
	SHA256       string `json:"sha256"`           // of the body
	Immutable    bool   `json:"immutable,omitempty"`
}

type cacheEntry struct {
	hdr  cacheHeader
	body []byte
}

// fresh reports whether the entry may be used without revalidation.
func (e *cacheEntry) fresh(now time.Time) bool {
	return e.hdr.MaxAge > 0 && now.Unix()-e.hdr.Stored < e.hdr.MaxAge
}

func newDiskCache(dir string) (*diskCache, error) {
	for _, sub := range []string{"http-v1", "meta-v1"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o755); err != nil {
			return nil, fmt.Errorf("cache directory: %w", err)
		}
	}
	return &diskCache{dir: dir, now: time.Now}, nil
}

func hashKey(key string) string {
	s := sha256.Sum256([]byte(key))
	return hex.EncodeToString(s[:])
}

func (d *diskCache) httpPath(key string) string {
	h := hashKey(key)
	return filepath.Join(d.dir, "http-v1", h[:2], h)
}

func (d *diskCache) metaPath(name string) string {
	return filepath.Join(d.dir, "meta-v1", name)
}

// errCorrupt marks an entry that failed validation (it is removed).
var errCorrupt = errors.New("corrupt cache entry")

// read returns the entry at path: (nil, nil) when absent; a corrupt entry
// is removed and reported as absent with corrupt=true.
func (d *diskCache) read(path, key string) (e *cacheEntry, corrupt bool, err error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("cache: %w", err)
	}
	e, perr := parseEntry(data)
	if perr == nil && e.hdr.Key != key {
		perr = fmt.Errorf("%w: key mismatch", errCorrupt)
	}
	if perr != nil {
		os.Remove(path)
		return nil, true, nil
	}
	return e, false, nil
}

func parseEntry(data []byte) (*cacheEntry, error) {
	rest, ok := bytes.CutPrefix(data, []byte(cacheMagic))
	if !ok {
		return nil, fmt.Errorf("%w: bad magic", errCorrupt)
	}
	line, body, ok := bytes.Cut(rest, []byte("\n"))
	if !ok {
		return nil, fmt.Errorf("%w: no header", errCorrupt)
	}
	var e cacheEntry
	if err := json.Unmarshal(line, &e.hdr); err != nil {
		return nil, fmt.Errorf("%w: %v", errCorrupt, err)
	}
	if len(body) != e.hdr.Size {
		return nil, fmt.Errorf("%w: size %d, header says %d", errCorrupt, len(body), e.hdr.Size)
	}
	sum := sha256.Sum256(body)
	if hex.EncodeToString(sum[:]) != e.hdr.SHA256 {
		return nil, fmt.Errorf("%w: checksum", errCorrupt)
	}
	e.body = body
	return &e, nil
}

// writes tracks cache writes in flight in this process, so that the
// process can wait for them before it exits (FinishWrites) and no
// temporary file is left behind.
var writes struct {
	sync.Mutex
	wg     sync.WaitGroup
	closed bool
}

var errShutdown = errors.New("cache: process is exiting")

// FinishWrites waits for the cache writes in flight and makes later ones
// fail: call it just before the process exits (after an interrupt, say),
// so that no temporary file is left in the cache.
func FinishWrites() {
	writes.Lock()
	writes.closed = true
	writes.Unlock()
	writes.wg.Wait()
	removeTemps()
}

func beginWrite() bool {
	writes.Lock()
	defer writes.Unlock()
	if writes.closed {
		return false
	}
	writes.wg.Add(1)
	return true
}

// write stores an entry atomically (temp file + rename).
func (d *diskCache) write(path string, hdr cacheHeader, body []byte) error {
	if !beginWrite() {
		return errShutdown
	}
	defer writes.wg.Done()
	sum := sha256.Sum256(body)
	hdr.SHA256, hdr.Size = hex.EncodeToString(sum[:]), len(body)
	line, err := json.Marshal(hdr)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	buf.Grow(len(cacheMagic) + len(line) + 1 + len(body))
	buf.WriteString(cacheMagic)
	buf.Write(line)
	buf.WriteByte('\n')
	buf.Write(body)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("cache: %w", err)
	}
	f, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return fmt.Errorf("cache: %w", err)
	}
	_, werr := f.Write(buf.Bytes())
	cerr := f.Close()
	if werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Rename(f.Name(), path)
	}
	if werr != nil {
		os.Remove(f.Name())
		return fmt.Errorf("cache: %w", werr)
	}
	return nil
}

// cachePolicy extracts storage rules from response headers.
func cachePolicy(h http.Header) (store bool, maxAge int64, immutable bool) {
	store, maxAge = true, 0
	for _, d := range strings.Split(h.Get("Cache-Control"), ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(strings.ToLower(d)), "=")
		switch k {
		case "no-store":
			store = false
		case "no-cache":
			maxAge = -1
		case "max-age":
			if n, err := strconv.ParseInt(strings.Trim(v, `"`), 10, 64); err == nil && maxAge >= 0 {
				maxAge = n
			}
		case "immutable":
			immutable = true
		}
	}
	return store, maxAge, immutable
}

// CheckCache validates every entry of the cache at dir (magic line,
// header, size and checksum of the body) and reports how many there are.
// Leftover temporary files count as damage too. It does not modify the
// cache.
func CheckCache(dir string) (entries int, err error) {
	var bad []string
	for _, sub := range []string{"http-v1", "meta-v1", "tmp-v1"} {
		root := filepath.Join(dir, sub)
		werr := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				if errors.Is(err, fs.ErrNotExist) && p == root {
					return nil
				}
				return err
			}
			if d.IsDir() {
				return nil
			}
			if sub == "tmp-v1" || strings.HasPrefix(d.Name(), ".tmp") {
				bad = append(bad, p+": temporary file left behind")
				return nil
			}
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			if _, perr := parseEntry(data); perr != nil {
				bad = append(bad, p+": "+perr.Error())
				return nil
			}
			entries++
			return nil
		})
		if werr != nil {
			return entries, fmt.Errorf("cache: %w", werr)
		}
	}
	if len(bad) > 0 {
		return entries, fmt.Errorf("%w: %d damaged: %s", errCorrupt, len(bad), strings.Join(bad[:min(len(bad), 5)], "; "))
	}
	return entries, nil
}
