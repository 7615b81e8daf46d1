// Package index is pylock's client for Python package indexes: the PEP 691
// JSON and PEP 503 HTML Simple API, PEP 658 core metadata, the PyPI JSON API,
// local directory indexes and --find-links, with concurrency, retries and an
// on-disk HTTP cache.
//
// Protocols: PEP 503 (HTML), PEP 691 (JSON, negotiated by Accept with HTML
// as fallback), PEP 592 (yanked), PEP 629 (repository version), PEP 658/714
// (core metadata files), PEP 643 (static sdist metadata), PEP 700 (upload
// time, size), and PyPI's JSON API (/pypi/<name>/json). Where an index has
// no PEP 658 file, a wheel's METADATA is read with HTTP range requests on
// the zip central directory, then by downloading the wheel.
//
// Layers, outermost first: per-key memo (results and errors, concurrent
// callers collapsed) → on-disk cache (ETag / Last-Modified revalidation,
// Cache-Control max-age, content-addressed metadata) → retries
// (hashicorp/go-retryablehttp: 429/5xx/resets/truncated bodies, capped
// Retry-After with jitter, never 4xx; a request gives up after two attempts
// that hit the read timeout) → a semaphore around each attempt
// (Concurrency) → keep-alive transport. Whole-file downloads (download.go)
// bypass the buffering: they stream to a temporary file while hashed,
// MaxDownloads at a time.
//
// Deliberate choices: under FirstIndex a project found on an earlier index
// is never taken from a later one, even if the earlier one lacks a version
// (the dependency-confusion defence); --find-links files are always added.
// A remote page may not point at file:// URLs; such entries, unsafe file
// names and malformed links are rejected loudly (a "warning" event,
// Project.Rejected, ErrIndexFault when nothing is left). Metadata read with
// range requests cannot be hash-checked: its Name and Version are checked
// against the filename, it is marked unverified (Metadata.Verified) and
// cached by URL, never by the file's hash; VerifyFile checks a whole file.
// Credentials (URL userinfo, ~/.netrc) are sent as basic auth and never
// appear in errors (RedactError redacts even malformed URLs where they
// enter), events, logs or the cache.
package index

import (
	"errors"
	"net/http"
	"sync"
	"time"

	"github.com/hashicorp/go-retryablehttp"
	"golang.org/x/sync/semaphore"
)

// Strategy is --index-strategy.
type Strategy string

// The index strategies.
const (
	FirstIndex      Strategy = "first-index"       // default: first index that has the project wins
	UnsafeBestMatch Strategy = "unsafe-best-match" // ask every index; the best version wins, whichever index has it
)

// DefaultConcurrency is how many HTTP requests a Client keeps in flight
// unless Options.Concurrency or PYLOCK_CONCURRENCY says otherwise. A
// round of pages is the bound on a large requirements file: 200 direct
// requirements (758 requests, 20 ms latency) resolve in 1.0 s at 16,
// 0.53 s at 32 and 0.32 s at 64 (bench/wide.py). Against pypi.org they
// share one HTTP/2 connection; an HTTP/1.1 index gets up to this many
// kept-alive connections. uv's default is 50.
const DefaultConcurrency = 64

// Options configure a Client.
type Options struct {
	IndexURL       string   // default https://pypi.org/simple; may be a local dir or file:// URL
	ExtraIndexURLs []string // searched after IndexURL
	FindLinks      []string // dirs or URL pages of distribution files
	Strategy       Strategy
	CacheDir       string // "" = user cache dir + /pylock
	NoCache        bool
	Offline        bool
	Refresh        bool
	NetrcPath      string        // "" = ~/.netrc
	Concurrency    int           // max HTTP requests in flight (default DefaultConcurrency, else PYLOCK_CONCURRENCY)
	Timeout        time.Duration // read timeout: longest wait for response headers or for the next body bytes (default 15s); a request gives up after 2 timed-out attempts
	Retries        int           // default $PYLOCK_HTTP_RETRIES, else 5; < 0 = none
	MaxRetryAfter  time.Duration // cap for Retry-After (default 10s)
	MaxBodyBytes   int64         // in-memory limit of a project page or JSON API response (default 32 MiB); metadata files get maxMetadataBytes
	HTTPClient     *http.Client  // nil = default transport with keep-alive
	UserAgent      string
	Events         func(Event) // progress events; may be nil; calls are serialised

	JSONAPIURL   string        // PyPI JSON API root; "" = derived from IndexURL (".../simple" -> ".../pypi")
	TotalTimeout time.Duration // per logical fetch, retries and backoff included (default 5m)
	MaxFileBytes int64         // limit for whole distribution downloads (default 512 MiB); they stream to a temporary file
	MaxDownloads int           // whole-file downloads at once (default 4)
	RetryWaitMin time.Duration // first backoff step without Retry-After (default 100ms)
	RetryWaitMax time.Duration // backoff cap without Retry-After (default 5s)
}

// Event reports client activity for progress display.
type Event struct {
	Kind    string // "request", "cache-hit", "revalidated", "retry", "project", "cache-corrupt", "waiting", "warning"
	Project string
	URL     string        // redacted
	Waited  time.Duration // "waiting": how long the request has been waiting for a response
	Message string        // "warning": what is wrong (already redacted)
}

// File is one distribution file listed for a project.
type File struct {
	Filename           string
	URL                string            // absolute (credentials kept for fetching; use Redact to print)
	Hashes             map[string]string // algorithm -> hex
	Size               int64             // -1 when unknown
	RequiresPython     string
	Yanked             bool
	YankedReason       string
	UploadTime         time.Time // zero when unknown
	CoreMetadata       bool      // PEP 658/714 metadata file available at URL+".metadata"
	CoreMetadataHashes map[string]string
	Index              string // redacted index URL the file came from

	Reject string // set by page parsing when the entry is unusable (an index fault); such files are never in Project.Files
}

// Rejection is a file an index listed that pylock could not use, and why:
// an unsafe file name, a file:// URL on a remote page, a malformed link.
type Rejection struct {
	Filename string
	Reason   string
}

// Project is a project's file list merged across indexes per Strategy.
type Project struct {
	Name     string // canonical
	Index    string // redacted URL of the (first) index that served it
	Files    []File
	Rejected []Rejection // files dropped for index faults (a "warning" event names them too)
}

// Metadata is parsed core metadata (METADATA / PKG-INFO / .metadata).
type Metadata struct {
	MetadataVersion string
	Name            string
	Version         string
	RequiresDist    []string
	RequiresPython  string
	ProvidesExtra   []string
	Dynamic         []string

	// Verified is true when a hash the index published covers the bytes
	// this was read from: a PEP 658 metadata file with its hash, or the
	// whole distribution file with its hash. Metadata read with HTTP range
	// requests (a part of the file) is not verified.
	Verified bool
}

// Stats counts client work.
type Stats struct {
	Requests        int // HTTP requests sent (retries included)
	CacheHits       int // served from cache without a request
	Revalidated     int // conditional requests answered 304
	Retries         int
	Bytes           int64
	PeakConcurrency int
}

// ErrNotFound is wrapped when a project or file does not exist (404/410).
var ErrNotFound = errors.New("not found")

// ErrIndexFault is wrapped when an index answers with something unusable:
// a page that is neither HTML nor JSON, or a project all of whose files
// were rejected (unsafe names, file:// URLs, malformed links).
var ErrIndexFault = errors.New("index fault")

// ErrNeedsBuild is wrapped when a version has only an sdist whose metadata
// is dynamic or too old: only a build (pypi/build) can tell it.
var ErrNeedsBuild = errors.New("metadata requires building the sdist")

// ErrOffline is wrapped when --offline and the cache has no entry.
var ErrOffline = errors.New("not in cache (offline)")

// Client fetches from indexes. Safe for concurrent use.
type Client struct {
	opts Options

	mu       sync.Mutex
	stats    Stats
	inflight int

	cache     *diskCache // nil with NoCache
	rc        *retryablehttp.Client
	stream    *http.Client        // whole-file downloads (download.go)
	dlSem     *semaphore.Weighted // bounds them
	creds     *credentials
	indexes   []source
	findLinks []source
	jsonAPI   string

	projects memo[*Project]
	metas    memo[*Metadata]
	pages    memo[[]File] // find-links pages

	bg        background     // prefetch goroutines; Close cancels and joins them
	cacheWarn sync.Once      // a failed cache store is reported once (cacheStore)
	stores    sync.WaitGroup // its cache stores in flight (cacheStore); Close waits
	storeq    storeQueue     // writes its cache stores one at a time (cacheStore)
	consult   consultLog     // where its project pages came from (CachedPages)
	gate      netGate        // see speculate.go

	retryWaitMin, retryWaitMax time.Duration
}
