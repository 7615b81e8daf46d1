// Package index is pylock's client for Python package indexes: the PEP 691
// JSON and PEP 503 HTML Simple API, PEP 658 core metadata, the PyPI JSON API,
// local directory indexes and --find-links, with concurrency, retries and an
// on-disk HTTP cache.
//
// CONTRACT (stub written by the lead; the owner replaces the panics, may add
// API, must not rename or remove what is declared here).
package index

import (
	"context"
	"errors"
	"net/http"
	"time"
)

// Strategy is --index-strategy.
type Strategy string

const (
	FirstIndex      Strategy = "first-index" // default: first index that has the project wins
	UnsafeBestMatch Strategy = "unsafe-best-match"
)

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
	Concurrency    int           // max HTTP requests in flight (default 16)
	Timeout        time.Duration // per request (default 30s)
	Retries        int           // default 5
	MaxRetryAfter  time.Duration // cap for Retry-After (default 10s)
	MaxBodyBytes   int64         // default 64 MiB for pages/metadata
	HTTPClient     *http.Client  // nil = default transport with keep-alive
	UserAgent      string
	Events         func(Event) // progress events; may be nil
}

// Event reports client activity for progress display.
type Event struct {
	Kind    string // "request", "cache-hit", "revalidated", "retry", "project"
	Project string
	URL     string // redacted
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
}

// Project is a project's file list merged across indexes per Strategy.
type Project struct {
	Name  string // canonical
	Index string // redacted URL of the (first) index that served it
	Files []File
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

// ErrNeedsBuild is wrapped when a version has only an sdist whose metadata
// is dynamic or too old (pylock does not build sdists).
var ErrNeedsBuild = errors.New("metadata requires building the sdist")

// ErrOffline is wrapped when --offline and the cache has no entry.
var ErrOffline = errors.New("not in cache (offline)")

// Client fetches from indexes. Safe for concurrent use.
type Client struct {
	opts Options
}

// New returns a Client.
func New(opts Options) (*Client, error) { panic("index.New: not implemented") }

// Project returns the files of a project (name need not be canonical).
// A missing project wraps ErrNotFound with the project and redacted URL.
func (c *Client) Project(ctx context.Context, name string) (*Project, error) {
	panic("not implemented")
}

// Metadata returns the core metadata of a file: PEP 658 file, else wheel
// METADATA via HTTP range requests, else whole download; sdists via PKG-INFO
// (Metadata-Version >= 2.2, Requires-Dist not Dynamic) or ErrNeedsBuild.
func (c *Client) Metadata(ctx context.Context, f File) (*Metadata, error) {
	panic("not implemented")
}

// Prefetch starts fetching project pages in the background (non-blocking).
func (c *Client) Prefetch(names ...string) { panic("not implemented") }

// Stats returns counters so far.
func (c *Client) Stats() Stats { panic("not implemented") }

// ParseMetadata parses RFC 822 style core metadata.
func ParseMetadata(data []byte) (*Metadata, error) { panic("not implemented") }

// Redact removes credentials (user:pass@) from a URL string.
func Redact(u string) string { panic("not implemented") }
