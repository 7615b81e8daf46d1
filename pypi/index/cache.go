package index

import (
	"crypto/sha256"
	"encoding/hex"
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
//	pages-v3/<sha256(key)>  project pages, parsed, with their HTTP
//	                        validators and freshness (pagecache.go); key
//	                        is URL+Accept
//	http-v4/<sha256(key)>   other HTTP responses (JSON API, find-links
//	                        pages) by URL+Accept
//	meta-v3/<name>          immutable core metadata, content-addressed:
//	                        "<algo>-<hex>" of a PEP 658 file, or
//	                        "file-<algo>-<hex>" for METADATA/PKG-INFO read
//	                        from the distribution with that hash
//	results-v1/<key>        results a caller computed from pages entries
//	                        only, with those entries' names and CRC-32s
//	                        (results.go)
//
// The directories are flat: a cold run creates one file per page and per
// metadata file and no directory. (pages-v2 and http-v3 sharded entries
// into 256 sub-directories by the hash's first byte, and kept every page
// twice, raw and parsed: a cold run of the cheroot case created ~90
// inodes, a third of them directories, and creating them was most of the
// process's CPU time.) Large flat directories are fine on every current
// file system (ext4's hashed directories, XFS, btrfs, APFS, NTFS).
//
// Every entry is one file: a magic line naming the entry format, a CRC-32
// (IEEE) of the rest, a binary header (key, validators, freshness,
// body length) and the body (cachefmt.go). A directory's version changes
// whenever its layout does, so an older or newer pylock's entries are
// ignored, never misread. Writes go to a temporary file in the same
// directory and are renamed into place, so a reader (this or another
// process) sees a whole old or a whole new entry; a torn or tampered entry
// fails its length or checksum, is removed and refetched. The checksum
// guards against damage, not against an attacker who can write the cache:
// metadata is verified against the index's hashes when fetched, and the
// cache directory is trusted like the rest of the user's files.
// Credentials are never written: keys and URLs are redacted.
type diskCache struct {
	dir string
	now func() time.Time
}

// Cache directories, one per entry layout.
const (
	httpDir  = "http-v4"  // v3: sharded, held project pages too; v2: CRC-32C
	pagesDir = "pages-v3" // v2: sharded, beside a raw copy in http-v3
	metaDir  = "meta-v3"
	tmpDir   = "tmp-v1" // downloads spooled (Client.tempDir)
)

type cacheHeader struct {
	Key          string
	URL          string // final URL after redirects, redacted
	ETag         string
	LastModified string
	Stored       int64  // unix seconds
	MaxAge       int64  // seconds; <= 0 = revalidate every time
	ContentType  string // of the body
	Status       int    // 200
	Size         int    // body bytes
	Immutable    bool
}

type cacheEntry struct {
	hdr  cacheHeader
	body []byte
}

// fresh reports whether the entry may be used without revalidation.
func (e *cacheEntry) fresh(now time.Time) bool { return e.hdr.fresh(now) }

func (h *cacheHeader) fresh(now time.Time) bool {
	return h.MaxAge > 0 && now.Unix()-h.Stored < h.MaxAge
}

func newDiskCache(dir string) (*diskCache, error) {
	for _, sub := range []string{httpDir, pagesDir, metaDir} {
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
	return filepath.Join(d.dir, httpDir, h)
}

func (d *diskCache) metaPath(name string) string {
	return filepath.Join(d.dir, metaDir, name)
}

// errCorrupt marks an entry that failed validation (it is removed).
var errCorrupt = errors.New("corrupt cache entry")

// read returns the entry at path: (nil, nil) when absent; a corrupt entry
// is removed and reported as absent with corrupt=true.
func (d *diskCache) read(path, key string) (e *cacheEntry, corrupt bool, err error) {
	data, err := readCacheFile(path)
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

// write stores an entry atomically.
func (d *diskCache) write(path string, hdr cacheHeader, body []byte) error {
	return d.writeFile(path, encodeEntry(hdr, body))
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

// FinishWrites waits for the cache writes in flight (the asynchronous
// stores of fetches included) and makes later ones fail: call it just before the process exits (after an interrupt, say),
// so that no temporary file is left in the cache.
func FinishWrites() {
	settle()
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

// pending tracks this process's asynchronous cache stores (store) not yet
// on disk, by sequence number, so that settle can wait for the ones
// started before it without waiting for those other clients start
// meanwhile.
var pending struct {
	sync.Mutex
	cond sync.Cond
	next uint64
	open map[uint64]bool
}

// settle waits until every asynchronous cache store the process had
// started when settle was called has landed (or failed): a Client made
// after it sees everything earlier fetches stored.
func settle() {
	pending.Lock()
	defer pending.Unlock()
	limit := pending.next
	for {
		oldest := limit
		for seq := range pending.open {
			oldest = min(oldest, seq)
		}
		if oldest >= limit {
			return
		}
		if pending.cond.L == nil {
			pending.cond.L = &pending.Mutex
		}
		pending.cond.Wait()
	}
}

// storeQueue writes one client's cache stores in the background, in
// order, on one goroutine at a time: a fetch hands its answer to the
// caller without waiting for the file system (creating a cache file costs
// a few hundred microseconds, on every response of a cold run's critical
// path), and the stores do not run side by side: creating files in one
// directory from many goroutines at once spins on the directory's lock in
// the kernel, CPU the index server and the solver could use.
type storeQueue struct {
	mu      sync.Mutex
	jobs    []storeJob
	writing bool // a goroutine is writing jobs
}

// storeJob is one store: data for path in d, its sequence number in
// pending, and where a failure is reported.
type storeJob struct {
	d    *diskCache
	path string
	data []byte
	seq  uint64
	warn func(error)
}

// add queues a store of data at path in d, written like writeFile by a
// goroutine counted by wg (started when none is writing). A failure is
// reported through warn; the answer itself is good.
func (q *storeQueue) add(d *diskCache, path string, data []byte, wg *sync.WaitGroup, warn func(error)) {
	pending.Lock()
	seq := pending.next
	pending.next++
	if pending.open == nil {
		pending.open = map[uint64]bool{}
	}
	pending.open[seq] = true
	pending.Unlock()
	q.mu.Lock()
	defer q.mu.Unlock()
	q.jobs = append(q.jobs, storeJob{d, path, data, seq, warn})
	if !q.writing {
		q.writing = true
		wg.Go(q.drain)
	}
}

// drain writes the queued stores until the queue is empty.
func (q *storeQueue) drain() {
	for {
		q.mu.Lock()
		if len(q.jobs) == 0 {
			q.writing = false
			q.jobs = nil
			q.mu.Unlock()
			return
		}
		j := q.jobs[0]
		q.jobs[0] = storeJob{}
		q.jobs = q.jobs[1:]
		q.mu.Unlock()
		err := j.d.writeFile(j.path, j.data)
		if err != nil && !errors.Is(err, errShutdown) {
			j.warn(err)
		}
		pending.Lock()
		delete(pending.open, j.seq)
		if pending.cond.L != nil {
			pending.cond.Broadcast()
		}
		pending.Unlock()
	}
}

// createTemp is os.CreateTemp; a test makes it fail (root can create files
// in a read-only directory).
var createTemp = os.CreateTemp

// writeFile writes data to path atomically (temp file + rename).
func (d *diskCache) writeFile(path string, data []byte) error {
	if !beginWrite() {
		return errShutdown
	}
	defer writes.wg.Done()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("cache: %w", err)
	}
	f, err := createTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return fmt.Errorf("cache: %w", err)
	}
	_, werr := f.Write(data)
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
	for _, sub := range Namespaces() {
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
			if sub == tmpDir || strings.HasPrefix(d.Name(), ".tmp") {
				bad = append(bad, p+": temporary file left behind")
				return nil
			}
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			if perr := checkEntry(data); perr != nil {
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
