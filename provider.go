package pylock

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/pylock/pylock/pypi/index"
	"github.com/pylock/pylock/pypi/names"
	"github.com/pylock/pylock/pypi/pep440"
	"github.com/pylock/pylock/pypi/pep508"
	"github.com/pylock/pylock/pypi/target"
	"github.com/pylock/pylock/pypi/wheel"
	"github.com/pylock/pylock/resolver"
)

// file is one index file with what the provider derived from its name.
type file struct {
	*index.File      // the project's listing (the client's, shared: read-only)
	Wheel       bool // false: sdist
	Compatible  bool // see SnapshotFile
	version     pep440.Version
	rank        int // target.Rank for wheels; -1 otherwise
}

// snapshot copies f out as a SnapshotFile.
func (f file) snapshot() SnapshotFile {
	return SnapshotFile{File: *f.File, Wheel: f.Wheel, Compatible: f.Compatible}
}

// release is one version of a project and its files.
type release struct {
	version pep440.Version
	files   []file // wheels by rank (compatible first), then sdists
}

// project is a fetched project page, grouped by version.
type project struct {
	name     string
	index    string
	releases map[string]*release  // key: normalised version
	ordered  []release            // the releases in version order (ties: by normalised form)
	cands    []resolver.Candidate // Candidates' answer (read-only, shared by its callers); guarded by Provider.mu
}

// Provider adapts an *index.Client to resolver.Provider for one target.
// Files whose names do not parse are ignored. It remembers every project it
// fetched and every metadata it read; Snapshot copies what a resolution
// chose out of that memo, so the lock is built from the same data the
// resolver saw.
//
// Prefetch hints are served by goroutines that StartPrefetch starts and its
// stop function cancels and joins; no context is kept in the Provider.
type Provider struct {
	client *index.Client
	target target.Target
	tags   *wheel.Supported // target.Supported(), built once: ranking every file rebuilds it otherwise

	builds *sdistBuilds // nil: sdists without static PKG-INFO stay unusable (ErrNeedsBuild)

	mu       sync.Mutex
	projects map[string]*project
	meta     map[string]*index.Metadata            // "name==version"
	parsed   map[*index.Metadata]resolver.Metadata // Metadata's answers (read-only, shared by its callers)
	reqs     map[string]pep508.Requirement         // parsed Requires-Dist lines (read-only, shared)
	grouping map[string]chan struct{}              // projects being grouped: closed when done
	hints    []prefetchHint                        // queued for the prefetch loop
	wake     chan struct{}                         // non-nil while prefetching: signals new hints
}

// prefetchHint is one version whose metadata Prefetch asked for, or with
// page set, a project page.
type prefetchHint struct {
	name    string
	version pep440.Version
	page    bool
}

// NewProvider returns a Provider over c for target t. Metadata prefetch
// hints are dropped until StartPrefetch.
func NewProvider(c *index.Client, t target.Target) *Provider {
	return &Provider{client: c, target: t, tags: t.Supported(),
		projects: map[string]*project{}, grouping: map[string]chan struct{}{}, meta: map[string]*index.Metadata{},
		parsed: map[*index.Metadata]resolver.Metadata{}, reqs: map[string]pep508.Requirement{}}
}

// StartPrefetch serves metadata prefetch hints in the background until the
// returned stop function is called (or ctx is done). stop cancels the
// fetches in flight and returns once every goroutine StartPrefetch started
// has returned; it may be called more than once. Call it before the
// resolution's caller returns, e.g. with defer.
//
// The fetches are speculative (index.Speculative): when the cache answers
// everything the resolution needs, guesses that would need the network are
// never sent.
func (p *Provider) StartPrefetch(ctx context.Context) (stop func()) {
	ctx, cancel := context.WithCancel(index.Speculative(ctx))
	wake := make(chan struct{}, 1)
	p.mu.Lock()
	p.wake = wake
	p.mu.Unlock()
	var wg sync.WaitGroup
	wg.Go(func() { p.prefetchLoop(ctx, wake, &wg) })
	var once sync.Once
	return func() {
		once.Do(func() {
			p.mu.Lock()
			if p.wake == wake {
				p.wake, p.hints = nil, nil
			}
			p.mu.Unlock()
			cancel()
			wg.Wait()
		})
	}
}

// prefetchLoop starts one goroutine per queued hint (the client bounds
// requests in flight and memoises) until ctx is done. Fetch errors are
// dropped: they resurface on the resolver's own call.
func (p *Provider) prefetchLoop(ctx context.Context, wake <-chan struct{}, wg *sync.WaitGroup) {
	for {
		select {
		case <-ctx.Done():
			p.mu.Lock()
			if p.wake == wake { // stop hint queueing: nobody serves it any more
				p.wake, p.hints = nil, nil
			}
			p.mu.Unlock()
			return
		case <-wake:
		}
		p.mu.Lock()
		hints := p.hints
		p.hints = nil
		p.mu.Unlock()
		for _, h := range hints {
			wg.Go(func() {
				switch {
				case ctx.Err() != nil:
				case h.page:
					// Parsed, grouped and listed here, in parallel, rather
					// than by the solver's goroutine one page at a time.
					_, _ = p.Candidates(ctx, h.name)
				default:
					_, _ = p.metadata(p.prefetchContext(ctx, h.name, h.version), h.name, h.version) // builds only a project's newest release
				}
			})
		}
	}
}

// Candidates implements resolver.Provider. The slice is computed once per
// project and shared: callers must not modify it.
func (p *Provider) Candidates(ctx context.Context, name string) ([]resolver.Candidate, error) {
	pr, err := p.project(speculation(ctx), name)
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	cands := pr.cands
	p.mu.Unlock()
	if cands != nil {
		return cands, nil
	}
	out := pr.candidates()
	p.mu.Lock()
	if pr.cands == nil {
		pr.cands = out
	}
	out = pr.cands
	p.mu.Unlock()
	return out, nil
}

// candidates lists the project's releases as resolver candidates, in
// version order (group's order).
func (pr *project) candidates() []resolver.Candidate {
	out := make([]resolver.Candidate, 0, len(pr.ordered))
	n := 0
	for _, r := range pr.ordered {
		n += len(r.files)
	}
	dists := make([]resolver.Dist, 0, n) // one allocation; each candidate's Dists is a run of it
	for _, r := range pr.ordered {
		c := resolver.Candidate{Version: r.version}
		start := len(dists)
		for _, f := range r.files {
			dists = append(dists, resolver.Dist{
				Filename:       f.Filename,
				Wheel:          f.Wheel,
				Compatible:     f.Compatible,
				RequiresPython: f.RequiresPython,
				Yanked:         f.Yanked,
				YankedReason:   f.YankedReason,
				UploadTime:     f.UploadTime,
			})
		}
		if len(dists) > start {
			c.Dists = dists[start:len(dists):len(dists)]
		}
		out = append(out, c)
	}
	return out
}

// speculation marks the resolver's lookahead calls as guesses for the
// index client (index.Speculative): they are answered from the cache, and
// go to the network only once the resolution needed it anyway.
func speculation(ctx context.Context) context.Context {
	if resolver.Speculative(ctx) {
		return index.Speculative(ctx)
	}
	return ctx
}

// project fetches and groups a project's files (memoised; a caller that
// finds another grouping the same page waits for it).
func (p *Provider) project(ctx context.Context, name string) (*project, error) {
	key := names.Canonicalize(name)
	p.mu.Lock()
	pr := p.projects[key]
	p.mu.Unlock()
	if pr != nil {
		return pr, nil
	}
	ip, err := p.client.Project(ctx, key)
	if err != nil {
		if errors.Is(err, index.ErrNotFound) {
			nf := &resolver.ProviderError{Kind: resolver.ErrProjectNotFound, Project: key, Err: err}
			if ie := (*index.Error)(nil); errors.As(err, &ie) {
				nf.Where, nf.Status = ie.URL, ie.Status
			}
			return nil, nf
		}
		return nil, &indexError{err}
	}
	p.mu.Lock()
	if pr := p.projects[key]; pr != nil {
		p.mu.Unlock()
		return pr, nil
	}
	if ch := p.grouping[key]; ch != nil {
		// group only computes: waiting for it cannot block on the network.
		p.mu.Unlock()
		<-ch
		p.mu.Lock()
		pr := p.projects[key]
		p.mu.Unlock()
		return pr, nil
	}
	ch := make(chan struct{})
	p.grouping[key] = ch
	p.mu.Unlock()
	pr = p.group(ip)
	p.mu.Lock()
	p.projects[key] = pr
	delete(p.grouping, key)
	p.mu.Unlock()
	close(ch)
	return pr, nil
}

func (p *Provider) group(ip *index.Project) *project {
	pr := &project{name: ip.Name, index: IndexURL(ip.Index)}
	// Classify into one slice, sort it by version (then normalised form:
	// "1.0" and "1.0.0" are distinct releases of equal versions), then file
	// order (stable: page order breaks ties), and let each release be a run
	// of it: a page of hundreds of files costs a few allocations, not a few
	// per version, and the releases come out in Candidates' order.
	all := make([]file, 0, len(ip.Files))
	keys := make([]string, 0, len(ip.Files))
	ranks := map[string]tagRank{} // a project's wheels share a few tag sets
	var wp wheel.FilenameParser   // ... parsed once each
	for i := range ip.Files {
		if ff, ok := p.classify(&ip.Files[i], &wp, ranks); ok {
			all = append(all, ff)
			keys = append(keys, ff.version.String())
		}
	}
	order := make([]int, len(all))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(i, j int) int {
		if c := all[i].version.Compare(all[j].version); c != 0 {
			return c
		}
		if c := strings.Compare(keys[i], keys[j]); c != 0 {
			return c
		}
		if fileLess(all[i], all[j]) {
			return -1
		}
		if fileLess(all[j], all[i]) {
			return 1
		}
		return 0
	})
	sorted := permute(all, keys, order)
	n := 0
	for i := range keys {
		if i == 0 || keys[i] != keys[i-1] {
			n++
		}
	}
	pr.releases = make(map[string]*release, n)
	rels := make([]release, 0, n)
	for i := 0; i < len(sorted); {
		j := i + 1
		for j < len(sorted) && keys[j] == keys[i] {
			j++
		}
		rels = append(rels, release{version: sorted[i].version, files: sorted[i:j:j]})
		pr.releases[keys[i]] = &rels[len(rels)-1]
		i = j
	}
	pr.ordered = rels
	return pr
}

// permute puts all and keys in the order order gives (all[i] becomes the
// old all[order[i]]) in place, following the permutation's cycles: a page
// of hundreds of files is not copied again. order is consumed.
func permute(all []file, keys []string, order []int) []file {
	for i := range order {
		if order[i] < 0 {
			continue
		}
		f, k, j := all[i], keys[i], i
		for {
			next := order[j]
			order[j] = -1
			if next == i {
				all[j], keys[j] = f, k
				break
			}
			all[j], keys[j] = all[next], keys[next]
			j = next
		}
	}
	return all
}

// classify parses a file's name (wp parses each wheel tag set once); ok
// is false for files pylock cannot use
// (unparsable names, eggs, .exe installers).
// ranks memoises the target's rank of each wheel tag set seen (the
// "python-abi-platform" part of the name, from which alone wheel.Filename's
// Tags come): matching tags against the target's list is the costly part.
func (p *Provider) classify(f *index.File, wp *wheel.FilenameParser, ranks map[string]tagRank) (file, bool) {
	fn := f.Filename
	switch {
	case strings.HasSuffix(fn, ".whl"):
		w, err := wp.Parse(fn)
		if err != nil {
			return file{}, false
		}
		key := wheelTagPart(fn)
		tr, seen := ranks[key]
		if !seen {
			tr.rank, tr.ok = p.tags.Rank(w)
			if !tr.ok {
				tr.rank = -1
			}
			ranks[key] = tr
		}
		return file{File: f, Wheel: true, Compatible: tr.ok, version: w.Version, rank: tr.rank}, true
	case strings.HasSuffix(fn, ".tar.gz"), strings.HasSuffix(fn, ".zip"):
		s, err := wheel.ParseSdistFilename(fn)
		if err != nil {
			return file{}, false
		}
		return file{File: f, Compatible: true, version: s.Version, rank: -1}, true
	}
	return file{}, false
}

// WheelRank returns the target's rank of a wheel file name (lower is
// better), the order Metadata reads a version's wheels in, and false when
// the wheel is not compatible or its name does not parse.
func (p *Provider) WheelRank(filename string) (int, bool) {
	w, err := wheel.ParseFilename(filename)
	if err != nil {
		return 0, false
	}
	return p.tags.Rank(w)
}

// tagRank is a wheel tag set's rank for the target (-1, false: none of
// its tags is supported).
type tagRank struct {
	rank int
	ok   bool
}

// wheelTagPart returns the "python-abi-platform" part of a wheel file name
// that parsed (after the third dash from the end, before ".whl").
func wheelTagPart(fn string) string {
	stem := strings.TrimSuffix(fn, ".whl")
	i := len(stem)
	for range 3 {
		i = strings.LastIndexByte(stem[:i], '-')
	}
	return stem[i+1:]
}

// fileLess orders compatible wheels by rank, then other wheels, then sdists
// (.tar.gz before .zip), ties by filename.
func fileLess(a, b file) bool {
	ka, kb := fileClass(a), fileClass(b)
	if ka != kb {
		return ka < kb
	}
	if ka == 0 && a.rank != b.rank {
		return a.rank < b.rank
	}
	return a.Filename < b.Filename
}

func fileClass(f file) int {
	switch {
	case f.Wheel && f.Compatible:
		return 0
	case f.Wheel:
		return 1
	case strings.HasSuffix(f.Filename, ".tar.gz"):
		return 2
	}
	return 3
}

// Metadata implements resolver.Provider: core metadata of the best file of
// the version (compatible wheel by rank, other wheels, then the sdist),
// falling back to the next file when one needs building or is missing.
func (p *Provider) Metadata(ctx context.Context, name string, v pep440.Version) (resolver.Metadata, error) {
	md, err := p.metadata(speculation(ctx), name, v)
	if err != nil {
		return resolver.Metadata{}, err
	}
	p.mu.Lock()
	out, ok := p.parsed[md]
	p.mu.Unlock()
	if ok {
		return out, nil
	}
	out = resolver.Metadata{RequiresPython: md.RequiresPython, ProvidesExtra: md.ProvidesExtra}
	if len(md.RequiresDist) > 0 {
		out.RequiresDist = make([]pep508.Requirement, 0, len(md.RequiresDist))
	}
	for _, s := range md.RequiresDist {
		// The versions of a project repeat the same lines: parse each once.
		p.mu.Lock()
		r, ok := p.reqs[s]
		p.mu.Unlock()
		if !ok {
			var err error
			if r, err = pep508.ParseRequirement(s); err != nil {
				return resolver.Metadata{}, fmt.Errorf("invalid Requires-Dist %q: %w", s, err)
			}
			p.mu.Lock()
			p.reqs[s] = r
			p.mu.Unlock()
		}
		out.RequiresDist = append(out.RequiresDist, r)
	}
	p.mu.Lock()
	p.parsed[md] = out
	p.mu.Unlock()
	return out, nil
}

func (p *Provider) metadata(ctx context.Context, name string, v pep440.Version) (*index.Metadata, error) {
	key := names.Canonicalize(name) + "==" + v.String()
	p.mu.Lock()
	md := p.meta[key]
	p.mu.Unlock()
	if md != nil {
		return md, nil
	}
	r, err := p.release(ctx, name, v)
	if err != nil {
		return nil, err
	}
	var firstErr error
	for _, f := range r.files {
		md, err = p.client.Metadata(ctx, *f.File)
		if err == nil {
			p.builds.noteSource(name, v, f)
			break
		}
		if firstErr == nil {
			firstErr = err
		}
		if !errors.Is(err, index.ErrNeedsBuild) && !errors.Is(err, index.ErrNotFound) {
			break
		}
	}
	if md == nil && errors.Is(firstErr, index.ErrNeedsBuild) && p.builds != nil && buildsAllowed(ctx) {
		md, err = p.builds.fromSdist(ctx, name, v, r, firstErr)
		if err != nil {
			return nil, needsBuild(err)
		}
	}
	if md == nil {
		if errors.Is(firstErr, index.ErrNeedsBuild) {
			return nil, needsBuild(firstErr)
		}
		return nil, &indexError{firstErr}
	}
	p.mu.Lock()
	p.meta[key] = md
	p.mu.Unlock()
	return md, nil
}

// release returns the files of name==v.
func (p *Provider) release(ctx context.Context, name string, v pep440.Version) (*release, error) {
	pr, err := p.project(ctx, name)
	if err != nil {
		return nil, err
	}
	r := pr.releases[v.String()]
	if r == nil || len(r.files) == 0 {
		return nil, fmt.Errorf("%s==%s: no such version on %s", name, v, pr.index)
	}
	return r, nil
}

// NetworkNeeded returns a channel closed once the run needed the
// network (index.Client.NetworkNeeded): the resolver starts its
// background lookahead only then (resolver.NetworkSignaller).
func (p *Provider) NetworkNeeded() <-chan struct{} { return p.client.NetworkNeeded() }

// Prefetch implements resolver.Provider: it never blocks. Project pages go
// to the client's prefetcher; the metadata of each given version is queued
// for the StartPrefetch goroutines (dropped when none are running).
func (p *Provider) Prefetch(name string, versions ...pep440.Version) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.wake == nil {
		if len(versions) == 0 {
			p.client.Prefetch(name)
		}
		return
	}
	if len(versions) == 0 {
		p.hints = append(p.hints, prefetchHint{name: name, page: true})
	}
	for _, v := range versions {
		p.hints = append(p.hints, prefetchHint{name: name, version: v})
	}
	select {
	case p.wake <- struct{}{}:
	default:
	}
}
