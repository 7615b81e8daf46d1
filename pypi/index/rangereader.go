package index

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"sync"
)

// rangeReader is an io.ReaderAt over a remote file fetched with HTTP range
// requests. open fetches the last tailSize bytes (learning the size from
// Content-Range), which for most wheels holds the zip central directory;
// each later miss fetches at least minChunk bytes. If the server ignores
// Range and sends the whole file, the reader serves it (hash-verified).
//
// io.ReaderAt has no context, so the reader gets its requests through get,
// a function bound to the context of the one Metadata call that creates
// and drops it (newRangeReader); the reader keeps no context itself.
type rangeReader struct {
	get              func(getReq) (*getResp, error)
	limit            int64 // response body limit per request
	f                File
	project, version string

	size   int64
	chunks []chunk // sorted by off, non-overlapping not required
	full   []byte
	reads  int
	err    error // first fetch error, reported instead of zip's view of it
}

func newRangeReader(ctx context.Context, c *Client, f File, project, version string) *rangeReader {
	return &rangeReader{get: func(q getReq) (*getResp, error) { return c.get(ctx, q) },
		limit: c.metaLimit() + tailSize, f: f, project: project, version: version}
}

type chunk struct {
	off  int64
	data []byte
}

const (
	tailSize      = 64 << 10
	minChunk      = 16 << 10
	maxRangeReads = 6 // more means a strange archive: download it whole instead
)

var contentRangeRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^bytes (\d+)-(\d+)/(\d+)$`) })

func (r *rangeReader) open() error {
	start, data, total, err := r.fetch(fmt.Sprintf("bytes=-%d", tailSize))
	if err != nil {
		return err
	}
	if total < 0 { // whole file
		if err := verifyHashes(data, r.f.Hashes); err != nil {
			r.err = &Error{Op: "metadata", Project: r.project, Version: r.version, URL: Redact(r.f.URL), Err: err}
			return r.err
		}
		r.full, r.size = data, int64(len(data))
		return nil
	}
	r.size = total
	r.chunks = append(r.chunks, chunk{start, data})
	return nil
}

// fetch GETs one range; total < 0 means the server sent the whole file.
func (r *rangeReader) fetch(rng string) (start int64, data []byte, total int64, err error) {
	r.reads++
	resp, err := r.get(getReq{url: stripFragment(r.f.URL), rangeHdr: rng, limit: r.limit,
		op: "metadata", project: r.project, version: r.version})
	if err != nil {
		return 0, nil, 0, err
	}
	if resp.status == http.StatusOK {
		return 0, resp.body, -1, nil
	}
	m := contentRangeRE().FindStringSubmatch(resp.header.Get("Content-Range"))
	if m == nil {
		return 0, nil, 0, fmt.Errorf("bad Content-Range %q", resp.header.Get("Content-Range"))
	}
	a, _ := strconv.ParseInt(m[1], 10, 64)
	b, _ := strconv.ParseInt(m[2], 10, 64)
	t, _ := strconv.ParseInt(m[3], 10, 64)
	if b < a || b-a+1 != int64(len(resp.body)) || b >= t {
		return 0, nil, 0, fmt.Errorf("inconsistent Content-Range %q for %d bytes", m[0], len(resp.body))
	}
	return a, resp.body, t, nil
}

func (r *rangeReader) ReadAt(p []byte, off int64) (int, error) {
	if r.full != nil {
		if off >= int64(len(r.full)) {
			return 0, io.EOF
		}
		n := copy(p, r.full[off:])
		if n < len(p) {
			return n, io.EOF
		}
		return n, nil
	}
	if off >= r.size {
		return 0, io.EOF
	}
	want := p
	if off+int64(len(p)) > r.size {
		want = p[:r.size-off]
	}
	if !r.fill(want, off) {
		if r.err != nil {
			return 0, r.err
		}
		if r.reads >= maxRangeReads {
			r.err = fmt.Errorf("too many range requests")
			return 0, r.err
		}
		end := min(r.size, off+max(int64(len(want)), minChunk))
		start, data, total, err := r.fetch(fmt.Sprintf("bytes=%d-%d", off, end-1))
		if err == nil && (total != r.size || start != off) {
			err = fmt.Errorf("server answered a different range")
		}
		if err != nil {
			r.err = err
			return 0, err
		}
		r.chunks = append(r.chunks, chunk{start, data})
		sort.Slice(r.chunks, func(i, j int) bool { return r.chunks[i].off < r.chunks[j].off })
		if !r.fill(want, off) {
			return 0, io.ErrUnexpectedEOF
		}
	}
	if len(want) < len(p) {
		return len(want), io.EOF
	}
	return len(p), nil
}

// fill copies [off, off+len(p)) from one chunk that covers it entirely.
func (r *rangeReader) fill(p []byte, off int64) bool {
	for _, c := range r.chunks {
		if off >= c.off && off+int64(len(p)) <= c.off+int64(len(c.data)) {
			copy(p, c.data[off-c.off:])
			return true
		}
	}
	return false
}
