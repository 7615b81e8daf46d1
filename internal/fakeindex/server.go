// Package fakeindex serves an in-memory corpus.Index as a Python package
// index over HTTP on 127.0.0.1, for tests. It mirrors the layout and
// behaviour of ../shared/bench/pyindex.py:
//
//	/simple/                      project list (PEP 503 HTML or PEP 691 JSON by Accept)
//	/simple/<name>/               file links: data-requires-python, data-yanked,
//	                              data-core-metadata / data-dist-info-metadata (PEP 658/714)
//	/files/<file>                 real tiny wheels (zip: module, METADATA, WHEEL, RECORD)
//	                              and sdists (tar.gz: PKG-INFO Metadata-Version 2.2)
//	/files/<wheel>.metadata       PEP 658 core metadata (the wheel's METADATA)
//	/pypi/<name>/json             PyPI JSON API, project document
//	/pypi/<name>/<version>/json   PyPI JSON API, release document
//	/_stats, /_stats/reset        counters (not counted themselves)
//
// Every 200 carries an ETag (If-None-Match → 304) and Last-Modified
// (If-Modified-Since → 304); files answer single Range requests (206) and
// HEAD. Bytes are a pure function of the index, so hashes are stable.
//
// Faults are injected deterministically: per path by Options.Script, or by
// Options.FailRate drawn from a PRNG seeded with Options.Seed in arrival
// order. Usage:
//
//	srv := fakeindex.New(idx, fakeindex.Options{})
//	defer srv.Close()
//	client, _ := index.New(index.Options{IndexURL: srv.SimpleURL()})
//	... srv.Stats().Requests ...
package fakeindex

import (
	"bufio"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/pylock/pylock/internal/corpus"
	"github.com/pylock/pylock/pypi/names"
)

// Fault is an injected failure.
type Fault string

// The injectable faults.
const (
	FaultNone     Fault = ""         // no fault: answer normally
	Fault503      Fault = "503"      // 503 Service Unavailable + Retry-After (Options.RetryAfter, default "0")
	Fault429      Fault = "429"      // 429 Too Many Requests + Retry-After
	Fault500      Fault = "500"      // 500 Internal Server Error, no Retry-After
	FaultReset    Fault = "reset"    // TCP RST (SO_LINGER 0), no response
	FaultTruncate Fault = "truncate" // full Content-Length, half the body, then close
	FaultHang     Fault = "hang"     // never answer (until the client gives up or Close)
	Fault404      Fault = "404"      // 404 Not Found, whatever the path
)

// Options configure a Server. The zero value serves everything correctly
// with no latency and no faults.
type Options struct {
	Latency time.Duration // added to every counted request

	// FailRate is the fraction of requests answered with a fault drawn from
	// FailKinds (default 503, reset, truncate) by a PRNG seeded with Seed,
	// in arrival order (a sequential client sees the same faults every run).
	FailRate  float64
	FailKinds []Fault
	Seed      uint64

	// Script gives the faults of the first requests to a path (the URL path,
	// e.g. "/simple/foo/" or "/files/foo-1.0-py3-none-any.whl"): the n-th
	// request to that path (from 0) gets Script[path][n]; later requests
	// are answered normally. Script takes precedence over FailRate.
	Script map[string][]Fault

	RetryAfter string // Retry-After value on 503/429 faults (default "0")

	NoMetadata bool   // no PEP 658: no data-core-metadata / core-metadata, .metadata files 404
	NoJSON     bool   // ignore Accept: always serve PEP 503 HTML on /simple/
	NoRange    bool   // ignore Range headers, no Accept-Ranges
	NoETag     bool   // send no ETag (Last-Modified only)
	NoJSONAPI  bool   // /pypi/... answers 404
	BasicAuth  string // "user:pass": every counted request needs these credentials (else 401)

	PageCacheControl string // Cache-Control on /simple/ pages (default "max-age=600, public")

	MaxLog int // keep at most this many log entries (default 100000)
}

// Request is one logged request.
type Request struct {
	Seq         int
	Method      string
	Path        string // path and query as requested
	Accept      string
	Range       string
	IfNoneMatch string
	Auth        bool   // an Authorization header was present
	Kind        string // simple-index, simple-project, metadata, file, api-project, api-release, redirect, home, other
	Format      string // html, json, api or ""
	Status      int    // 0 for a reset / hang
	Bytes       int
	Fault       Fault
}

// Stats are counters since New or the last ResetStats.
type Stats struct {
	Requests        int
	Bytes           int64
	ByKind          map[string]int
	ByStatus        map[int]int
	ByFormat        map[string]int
	Faults          map[Fault]int
	PeakConcurrency int
	Connections     int // TCP connections accepted (keep-alive reuse keeps this low)
}

// Server is a running fake index. Safe for concurrent use.
type Server struct {
	ts   *httptest.Server
	opts Options

	mu         sync.Mutex
	idx        *corpus.Index
	gen        int // bumped by SetIndex; feeds Last-Modified
	rendered   map[string]*project
	serials    map[string]int
	rng        *rand.Rand
	scriptSeen map[string]int
	seq        int
	inflight   int
	// idleWaiters are closed when inflight drops to zero (see settle).
	idleWaiters []chan struct{}
	stats       Stats
	log         []Request

	hangMu sync.Mutex
	hangCh chan struct{}
}

// New starts a server for idx on 127.0.0.1. Close it when done.
func New(idx *corpus.Index, opts Options) *Server {
	s := newServer(idx, opts)
	s.ts = httptest.NewUnstartedServer(s)
	s.ts.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		if st == http.StateNew {
			s.mu.Lock()
			s.stats.Connections++
			s.mu.Unlock()
		}
	}
	s.ts.Start()
	return s
}

func newServer(idx *corpus.Index, opts Options) *Server {
	if len(opts.FailKinds) == 0 {
		opts.FailKinds = []Fault{Fault503, FaultReset, FaultTruncate}
	}
	if opts.RetryAfter == "" {
		opts.RetryAfter = "0"
	}
	if opts.PageCacheControl == "" {
		opts.PageCacheControl = "max-age=600, public"
	}
	if opts.MaxLog == 0 {
		opts.MaxLog = 100000
	}
	if idx == nil {
		idx = &corpus.Index{Projects: map[string]*corpus.Project{}}
	}
	s := &Server{opts: opts, hangCh: make(chan struct{})}
	s.rng = rand.New(rand.NewPCG(opts.Seed, opts.Seed^0x9e3779b97f4a7c15))
	s.setIndexLocked(idx)
	s.resetStatsLocked()
	return s
}

// NewHandler returns a Server that is not listening, to be used as an
// http.Handler by in-memory transports (e.g. under testing/synctest; see
// Transport). URL, SimpleURL and Close must not be called on it. Reset and
// truncate faults need a real connection; over a non-hijackable writer they
// degrade to a 503.
func NewHandler(idx *corpus.Index, opts Options) *Server { return newServer(idx, opts) }

// Transport returns an http.RoundTripper that serves requests for any host
// from h in memory, without a network (for testing/synctest bubbles).
func Transport(h http.Handler) http.RoundTripper { return handlerTransport{h} }

type handlerTransport struct{ h http.Handler }

func (t handlerTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if err := req.Context().Err(); err != nil {
		return nil, err
	}
	rec := httptest.NewRecorder()
	t.h.ServeHTTP(rec, req)
	resp := rec.Result()
	resp.Request = req
	return resp, nil
}

// URL returns the base URL, e.g. "http://127.0.0.1:38029".
func (s *Server) URL() string { return s.ts.URL }

// SimpleURL returns the Simple API root, URL()+"/simple/".
func (s *Server) SimpleURL() string { return s.ts.URL + "/simple/" }

// JSONAPIURL returns the PyPI JSON API root, URL()+"/pypi/".
func (s *Server) JSONAPIURL() string { return s.ts.URL + "/pypi/" }

// Close shuts the server down (releasing hung requests).
func (s *Server) Close() {
	s.hangMu.Lock()
	select {
	case <-s.hangCh:
	default:
		close(s.hangCh)
	}
	s.hangMu.Unlock()
	if s.ts != nil {
		s.ts.CloseClientConnections()
		s.ts.Close()
	}
}

// SetIndex replaces the served index (e.g. to yank a release between two
// runs); pages change, ETags and Last-Modified move on.
func (s *Server) SetIndex(idx *corpus.Index) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.setIndexLocked(idx)
}

func (s *Server) setIndexLocked(idx *corpus.Index) {
	s.idx = idx
	s.gen++
	s.rendered = map[string]*project{}
	s.serials = map[string]int{}
	for i, n := range s.projectNamesLocked() {
		s.serials[n] = i + 1
	}
}

// SetOptions changes fault/latency/toggle options of a running server
// (rendering toggles take effect for pages not yet rendered, so call it
// before the first request or together with SetIndex).
func (s *Server) SetOptions(f func(*Options)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f(&s.opts)
	s.rendered = map[string]*project{}
}

func (s *Server) projectNamesLocked() []string {
	var out []string
	for _, p := range s.idx.Projects {
		out = append(out, names.Canonicalize(p.Name))
	}
	sort.Strings(out)
	return out
}

func (s *Server) project(name string) *project {
	s.mu.Lock()
	defer s.mu.Unlock()
	if rp, ok := s.rendered[name]; ok {
		return rp
	}
	var p *corpus.Project
	if q, ok := s.idx.Projects[name]; ok {
		p = q
	} else {
		for _, q := range s.idx.Projects {
			if names.Canonicalize(q.Name) == name {
				p = q
				break
			}
		}
	}
	if p == nil {
		s.rendered[name] = nil
		return nil
	}
	rp := renderProject(p, &s.opts, s.serials[name])
	s.rendered[name] = rp
	return rp
}

// file finds a distribution (or its .metadata) by filename.
func (s *Server) file(filename string) *dist {
	dname, _, _ := strings.Cut(filename, "-")
	rp := s.project(names.Canonicalize(dname))
	if rp == nil {
		return nil
	}
	return rp.Files[filename]
}

// FileBytes returns the bytes of a served file (wheel, sdist or .metadata),
// e.g. to compute expected hashes in tests.
func (s *Server) FileBytes(filename string) ([]byte, bool) {
	if base, ok := strings.CutSuffix(filename, ".metadata"); ok {
		if d := s.file(base); d != nil && d.Metadata != nil {
			return d.Metadata, true
		}
		return nil, false
	}
	if d := s.file(filename); d != nil {
		return d.Data, true
	}
	return nil, false
}

// Stats returns a copy of the counters.
func (s *Server) Stats() Stats {
	s.settle()
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.stats
	st.ByKind, st.ByStatus, st.ByFormat, st.Faults = cloneMap(st.ByKind), cloneMap(st.ByStatus), cloneMap(st.ByFormat), cloneMap(st.Faults)
	return st
}

// settleWait bounds how long Stats and Log wait for requests in flight.
const settleWait = 2 * time.Second

// settle waits (at most settleWait) until no request is being handled. A
// handler records its request after the response is out (a truncated body
// closes the connection first), so a client that has just seen its answer
// could otherwise read counters that do not include it yet.
func (s *Server) settle() {
	s.mu.Lock()
	if s.inflight <= 0 {
		s.mu.Unlock()
		return
	}
	idle := make(chan struct{})
	s.idleWaiters = append(s.idleWaiters, idle)
	s.mu.Unlock()
	t := time.NewTimer(settleWait)
	defer t.Stop()
	select {
	case <-idle:
	case <-t.C:
	}
}

func cloneMap[K comparable, V any](m map[K]V) map[K]V {
	out := make(map[K]V, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// Log returns the logged requests (oldest first) since New or ResetStats.
func (s *Server) Log() []Request {
	s.settle()
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.log...)
}

// ResetStats zeroes the counters and the request log (not the fault PRNG
// or the per-path script positions).
func (s *Server) ResetStats() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.resetStatsLocked()
}

func (s *Server) resetStatsLocked() {
	s.stats = Stats{ByKind: map[string]int{}, ByStatus: map[int]int{}, ByFormat: map[string]int{}, Faults: map[Fault]int{}}
	s.log = nil
}

// begin counts a request and draws its fault.
func (s *Server) begin(path string) (int, Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq++
	s.inflight++
	s.stats.PeakConcurrency = max(s.stats.PeakConcurrency, s.inflight)
	if script, ok := s.opts.Script[path]; ok {
		n := s.scriptSeen[path]
		if s.scriptSeen == nil {
			s.scriptSeen = map[string]int{}
		}
		s.scriptSeen[path] = n + 1
		if n < len(script) {
			return s.seq, script[n]
		}
		return s.seq, FaultNone
	}
	if s.opts.FailRate > 0 && s.rng.Float64() < s.opts.FailRate {
		return s.seq, s.opts.FailKinds[s.rng.IntN(len(s.opts.FailKinds))]
	}
	return s.seq, FaultNone
}

func (s *Server) end(r Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.inflight--
	if s.inflight == 0 {
		for _, ch := range s.idleWaiters {
			close(ch)
		}
		s.idleWaiters = nil
	}
	s.stats.Requests++
	s.stats.Bytes += int64(r.Bytes)
	s.stats.ByKind[r.Kind]++
	s.stats.ByStatus[r.Status]++
	if r.Format != "" {
		s.stats.ByFormat[r.Format]++
	}
	if r.Fault != "" {
		s.stats.Faults[r.Fault]++
	}
	if len(s.log) < s.opts.MaxLog {
		s.log = append(s.log, r)
	}
}

// response is a routed answer before faults, conditionals and ranges.
type response struct {
	status  int
	body    []byte
	ctype   string
	headers map[string]string
	kind    string
	format  string
	cond    bool // 200 subject to ETag/Last-Modified
	ranges  bool // Range allowed
}

const (
	ctHTML       = "text/html; charset=utf-8"
	ctSimpleHTML = "application/vnd.pypi.simple.v1+html"
	ctSimpleJSON = "application/vnd.pypi.simple.v1+json"
	ctJSON       = "application/json"
	ctOctet      = "application/octet-stream"
)

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	path := r.URL.Path
	switch path {
	case "/_stats":
		w.Header().Set("Content-Type", ctJSON)
		json.NewEncoder(w).Encode(s.statsJSON())
		return
	case "/_stats/reset":
		s.ResetStats()
		w.Header().Set("Content-Type", ctJSON)
		w.Write([]byte("{\"reset\": true}\n"))
		return
	}
	seq, fault := s.begin(path)
	s.mu.Lock()
	opts := s.opts
	s.mu.Unlock()
	rec := Request{Seq: seq, Method: r.Method, Path: r.URL.RequestURI(), Accept: r.Header.Get("Accept"),
		Range: r.Header.Get("Range"), IfNoneMatch: r.Header.Get("If-None-Match"),
		Auth: r.Header.Get("Authorization") != "", Fault: fault}
	defer func() { s.end(rec) }()
	if r.Method == http.MethodHead && fault == FaultTruncate {
		fault, rec.Fault = Fault503, Fault503
	}
	var resp *response
	if opts.BasicAuth != "" && !s.authorized(r, opts.BasicAuth) {
		resp = &response{status: 401, body: []byte("unauthorized\n"), ctype: "text/plain; charset=utf-8",
			headers: map[string]string{"WWW-Authenticate": `Basic realm="fakeindex"`}, kind: "other"}
	} else if r.Method != http.MethodGet && r.Method != http.MethodHead {
		resp = &response{status: 405, body: []byte("method not allowed\n"), ctype: "text/plain; charset=utf-8", kind: "other"}
	} else {
		resp = s.route(r, &opts)
	}
	rec.Kind, rec.Format, rec.Status = resp.kind, resp.format, resp.status
	if opts.Latency > 0 {
		select {
		case <-time.After(opts.Latency):
		case <-r.Context().Done():
		}
	}
	switch fault {
	case Fault503, Fault429, Fault500, Fault404:
		code, _ := strconv.Atoi(string(fault))
		h := map[string]string{}
		if fault == Fault503 || fault == Fault429 {
			h["Retry-After"] = opts.RetryAfter
		}
		resp = &response{status: code, body: []byte(http.StatusText(code) + " (injected)\n"),
			ctype: "text/plain; charset=utf-8", headers: h, kind: resp.kind, format: resp.format}
		rec.Status = code
		rec.Bytes = s.send(w, r, resp, &opts, false)
	case FaultReset:
		rec.Status = 0
		if !reset(w) {
			rec.Status = 503
			s.send(w, r, &response{status: 503, body: []byte("reset (no hijack)\n"), headers: map[string]string{"Retry-After": opts.RetryAfter}}, &opts, false)
		}
	case FaultHang:
		rec.Status = 0
		select {
		case <-r.Context().Done():
		case <-s.hangCh:
		}
	case FaultTruncate:
		rec.Bytes = s.send(w, r, resp, &opts, true)
	default:
		rec.Bytes = s.send(w, r, resp, &opts, false)
	}
	if fault == FaultNone {
		rec.Status = resp.status
	}
}

func (s *Server) authorized(r *http.Request, want string) bool {
	u, p, ok := r.BasicAuth()
	return ok && u+":"+p == want
}

func (s *Server) statsJSON() map[string]any {
	st := s.Stats()
	status := map[string]int{}
	for k, v := range st.ByStatus {
		status[strconv.Itoa(k)] = v
	}
	faults := map[string]int{}
	for k, v := range st.Faults {
		faults[string(k)] = v
	}
	s.mu.Lock()
	seq := s.seq
	s.mu.Unlock()
	return map[string]any{"requests": st.Requests, "bytes": st.Bytes, "by_kind": st.ByKind,
		"by_status": status, "by_format": st.ByFormat, "faults": faults,
		"peak_concurrency": st.PeakConcurrency, "connections": st.Connections, "requests_since_start": seq}
}

func reset(w http.ResponseWriter) bool {
	hj, ok := w.(http.Hijacker)
	if !ok {
		return false
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		return false
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		tc.SetLinger(0)
	}
	conn.Close()
	return true
}

var rangeRE = regexp.MustCompile(`^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$`)

// parseRange handles a single "bytes=a-b" / "a-" / "-n" range.
func parseRange(h string, size int) (int, int, bool) {
	m := rangeRE.FindStringSubmatch(h)
	if h == "" || size == 0 || m == nil || (m[1] == "" && m[2] == "") {
		return 0, 0, false
	}
	if m[1] == "" {
		n, _ := strconv.Atoi(m[2])
		if n <= 0 {
			return 0, 0, false
		}
		return max(0, size-n), size - 1, true
	}
	start, _ := strconv.Atoi(m[1])
	end := size - 1
	if m[2] != "" {
		end, _ = strconv.Atoi(m[2])
	}
	if start >= size || end < start {
		return 0, 0, false
	}
	return start, min(end, size-1), true
}

// send writes resp, applying conditionals and ranges; returns body bytes sent.
func (s *Server) send(w http.ResponseWriter, r *http.Request, resp *response, o *Options, truncate bool) int {
	body, status := resp.body, resp.status
	h := map[string]string{}
	for k, v := range resp.headers {
		h[k] = v
	}
	if status == 200 && resp.cond {
		etag := `"` + sha256Hex(body)[:32] + `"`
		s.mu.Lock()
		lm := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(s.gen) * time.Second)
		s.mu.Unlock()
		h["Last-Modified"] = lm.Format(http.TimeFormat)
		if !o.NoETag {
			h["ETag"] = etag
		}
		ims, imsErr := http.ParseTime(r.Header.Get("If-Modified-Since"))
		switch {
		case truncate:
		case !o.NoETag && r.Header.Get("If-None-Match") != "":
			if r.Header.Get("If-None-Match") == etag {
				status, body = 304, nil
			}
		case imsErr == nil && !lm.After(ims):
			status, body = 304, nil
		}
		if status == 200 && resp.ranges && !o.NoRange {
			h["Accept-Ranges"] = "bytes"
			if a, b, ok := parseRange(r.Header.Get("Range"), len(body)); ok {
				h["Content-Range"] = fmt.Sprintf("bytes %d-%d/%d", a, b, len(body))
				status, body = 206, body[a:b+1]
			}
		}
	}
	resp.status = status
	ctype := resp.ctype
	if ctype == "" {
		ctype = "text/plain; charset=utf-8"
	}
	if truncate {
		if hj, ok := w.(http.Hijacker); ok {
			if conn, buf, err := hj.Hijack(); err == nil {
				writeRaw(buf, status, ctype, h, body, r.Method == http.MethodHead)
				conn.Close()
				return len(body) / 2
			}
		}
	}
	for k, v := range h {
		w.Header().Set(k, v)
	}
	if status != 304 {
		w.Header().Set("Content-Type", ctype)
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	}
	w.WriteHeader(status)
	if r.Method == http.MethodHead {
		return 0
	}
	w.Write(body)
	return len(body)
}

// writeRaw writes a response whose body is cut in half (Content-Length full).
func writeRaw(buf *bufio.ReadWriter, status int, ctype string, h map[string]string, body []byte, head bool) {
	fmt.Fprintf(buf, "HTTP/1.1 %d %s\r\n", status, http.StatusText(status))
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(buf, "%s: %s\r\n", k, h[k])
	}
	if status != 304 {
		fmt.Fprintf(buf, "Content-Type: %s\r\nContent-Length: %d\r\n", ctype, len(body))
	}
	buf.WriteString("Connection: close\r\n\r\n")
	if !head {
		buf.Write(body[:len(body)/2])
	}
	buf.Flush()
}

var (
	simpleRE = regexp.MustCompile(`^/simple/(?:([^/]+)(/?))?$`)
	filesRE  = regexp.MustCompile(`^/files/([^/]+)$`)
	apiRE    = regexp.MustCompile(`^/pypi/([^/]+)(?:/([^/]+))?/json/?$`)
)

func notFound(kind, format string) *response {
	return &response{status: 404, body: []byte("not found\n"), kind: kind, format: format}
}

func redirect(loc string) *response {
	return &response{status: 301, body: []byte("moved to " + loc + "\n"), headers: map[string]string{"Location": loc}, kind: "redirect"}
}

func (s *Server) route(r *http.Request, o *Options) *response {
	path := r.URL.Path
	qs := ""
	if r.URL.RawQuery != "" {
		qs = "?" + r.URL.RawQuery
	}
	if strings.Contains(path, "\x00") || containsDotDot(path) {
		return notFound("other", "")
	}
	if path == "/" || path == "/index.html" {
		return &response{status: 200, body: []byte("<!DOCTYPE html>\n<html><body><h1>" + generator + "</h1><a href=\"/simple/\">/simple/</a></body></html>\n"),
			ctype: ctHTML, kind: "home"}
	}
	if path == "/simple" {
		return redirect("/simple/" + qs)
	}
	if m := simpleRE.FindStringSubmatch(path); m != nil {
		return s.routeSimple(r, o, m[1], m[2], qs)
	}
	if m := filesRE.FindStringSubmatch(path); m != nil {
		return s.routeFile(o, m[1])
	}
	if m := apiRE.FindStringSubmatch(path); m != nil {
		return s.routeAPI(r, o, m[1], m[2])
	}
	return notFound("other", "")
}

func containsDotDot(p string) bool {
	for _, seg := range strings.Split(p, "/") {
		if seg == ".." {
			return true
		}
	}
	return false
}

func (s *Server) routeSimple(r *http.Request, o *Options, name, slash, qs string) *response {
	if name != "" && (slash == "" || names.Canonicalize(name) != name) {
		return redirect("/simple/" + names.Canonicalize(name) + "/" + qs)
	}
	kind := "simple-index"
	if name != "" {
		kind = "simple-project"
	}
	ctype, isJSON, ok := negotiate(r.Header.Get("Accept"), r.URL.Query().Get("format"))
	if o.NoJSON {
		ctype, isJSON, ok = ctHTML, false, true
	}
	if !ok {
		return &response{status: 406, body: []byte("not acceptable: supported types are text/html, " +
			"application/vnd.pypi.simple.v1+html, application/vnd.pypi.simple.v1+json\n"), kind: kind}
	}
	format := "html"
	if isJSON {
		format = "json"
	}
	var body []byte
	if name == "" {
		s.mu.Lock()
		ns := s.projectNamesLocked()
		s.mu.Unlock()
		if isJSON {
			body = rootJSON(ns)
		} else {
			body = rootHTML(ns)
		}
	} else {
		rp := s.project(name)
		if rp == nil {
			return notFound(kind, format)
		}
		body = rp.HTML
		if isJSON {
			body = rp.JSON
		}
	}
	h := map[string]string{"Vary": "Accept", "Cache-Control": o.PageCacheControl}
	return &response{status: 200, body: body, ctype: ctype, headers: h, kind: kind, format: format, cond: true}
}

func (s *Server) routeFile(o *Options, fname string) *response {
	kind := "file"
	if strings.HasSuffix(fname, ".metadata") {
		kind = "metadata"
	}
	if kind == "metadata" && o.NoMetadata {
		return notFound(kind, "")
	}
	data, ok := s.FileBytes(fname)
	if !ok {
		return notFound(kind, "")
	}
	return &response{status: 200, body: data, ctype: ctOctet, kind: kind, cond: true, ranges: true,
		headers: map[string]string{"Cache-Control": "max-age=365000000, immutable, public"}}
}

func (s *Server) routeAPI(r *http.Request, o *Options, name, ver string) *response {
	kind := "api-project"
	if ver != "" {
		kind = "api-release"
	}
	nf := &response{status: 404, body: []byte(`{"message": "Not Found"}` + "\n"), ctype: ctJSON, kind: kind, format: "api"}
	if o.NoJSONAPI {
		return nf
	}
	rp := s.project(names.Canonicalize(name))
	if rp == nil || rp.API == nil {
		return nf
	}
	body := rp.API
	if ver != "" {
		if v, err := url.PathUnescape(ver); err == nil {
			ver = v
		}
		if body = rp.releaseAPI(ver); body == nil {
			return nf
		}
	}
	return &response{status: 200, body: absolutize(body, "http://"+r.Host), ctype: ctJSON, kind: kind, format: "api",
		cond: true, headers: map[string]string{"Cache-Control": "max-age=900, public"}}
}

// absolutize turns the API's root-relative URLs into absolute ones.
func absolutize(body []byte, base string) []byte {
	s := string(body)
	for _, key := range []string{"url", "package_url", "project_url", "release_url"} {
		s = strings.ReplaceAll(s, `"`+key+`":"/`, `"`+key+`":"`+base+"/")
	}
	return []byte(s)
}

var offers = []struct{ media, ctype string }{ // order = tie-break preference
	{"text/html", ctHTML},
	{"application/vnd.pypi.simple.v1+html", ctSimpleHTML},
	{"application/vnd.pypi.simple.v1+json", ctSimpleJSON},
}

var aliases = map[string]string{
	"application/vnd.pypi.simple.latest+html": "application/vnd.pypi.simple.v1+html",
	"application/vnd.pypi.simple.latest+json": "application/vnd.pypi.simple.v1+json",
}

// negotiate implements PEP 691 content negotiation like pyindex.py: highest
// q wins, an exact type beats a wildcard, remaining ties go to HTML.
func negotiate(accept, format string) (ctype string, isJSON, ok bool) {
	if format != "" {
		f := strings.ToLower(strings.TrimSpace(format))
		if a, ok := aliases[f]; ok {
			f = a
		}
		for _, of := range offers {
			if of.media == f {
				return of.ctype, of.ctype == ctSimpleJSON, true
			}
		}
		return "", false, false
	}
	if strings.TrimSpace(accept) == "" {
		return ctHTML, false, true
	}
	type rng struct {
		media string
		q     float64
	}
	var ranges []rng
	for _, item := range strings.Split(accept, ",") {
		parts := strings.Split(item, ";")
		mt := strings.ToLower(strings.TrimSpace(parts[0]))
		if a, ok := aliases[mt]; ok {
			mt = a
		}
		q := 1.0
		for _, p := range parts[1:] {
			k, v, _ := strings.Cut(p, "=")
			if strings.EqualFold(strings.TrimSpace(k), "q") {
				f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
				if err != nil {
					f = 0
				}
				q = f
			}
		}
		if mt != "" {
			ranges = append(ranges, rng{mt, q})
		}
	}
	best, bestQ, bestSpec, bestPref := -1, 0.0, 0, 0
	for pref, of := range offers {
		q, spec := -1.0, -1
		for _, rg := range ranges {
			sp := -1
			switch {
			case rg.media == of.media:
				sp = 2
			case strings.HasSuffix(rg.media, "/*") && strings.HasPrefix(of.media, strings.TrimSuffix(rg.media, "*")):
				sp = 1
			case rg.media == "*/*":
				sp = 0
			}
			if sp > spec {
				q, spec = rg.q, sp
			}
		}
		if spec < 0 || q <= 0 {
			continue
		}
		if best < 0 || q > bestQ || (q == bestQ && (spec > bestSpec || (spec == bestSpec && pref < bestPref))) {
			best, bestQ, bestSpec, bestPref = pref, q, spec, pref
		}
	}
	if best < 0 {
		return "", false, false
	}
	return offers[best].ctype, offers[best].ctype == ctSimpleJSON, true
}
