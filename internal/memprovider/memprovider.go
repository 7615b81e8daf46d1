// Package memprovider serves an in-memory corpus.Index to the resolver as a
// resolver.Provider for one target environment: the test and benchmark
// stand-in for the index client.
//
// Each release becomes one wheel per wheel tag (compatibility decided by
// the target's tag list via wheel.ParseFilename and target.Rank) plus an
// sdist when the release has one. Versions that are not valid PEP 440 are
// skipped; unparsable Requires-Dist lines make that version's metadata fail
// with resolver.ErrInvalidMetadata. Results are computed once per project
// and version and cached; the provider is safe for concurrent use.
package memprovider

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/pylock/pylock/internal/corpus"
	"github.com/pylock/pylock/pypi/names"
	"github.com/pylock/pylock/pypi/pep440"
	"github.com/pylock/pylock/pypi/pep508"
	"github.com/pylock/pylock/pypi/target"
	"github.com/pylock/pylock/pypi/wheel"
	"github.com/pylock/pylock/resolver"
)

// Options tune a Provider.
type Options struct {
	// DropMarkers reproduces resolvelib's test harness: every requirement
	// carrying a marker that does not mention "extra" is dropped (so a
	// project's marker-guarded requirements are never followed, while
	// `extra == "x"` requirements still apply to requested extras).
	DropMarkers bool
}

// Provider implements resolver.Provider over a corpus.Index.
type Provider struct {
	idx  *corpus.Index
	tags *wheel.Supported // the target's supported tags, built once
	opts Options

	// mu guards projects and each project's md; lookups of what is already
	// built take the read lock only, so the resolver's background walk and
	// its decision loop do not queue behind each other.
	mu       sync.RWMutex
	projects map[string]*project

	nCandidates, nMetadata, nPrefetch atomic.Int64
}

// Stats counts calls, for tests of prefetching.
type Stats struct {
	Candidates, Metadata, Prefetch int
}

type project struct {
	cands []resolver.Candidate
	rels  map[string]*corpus.Release // normalised version -> release
	md    map[string]mdResult        // normalised version -> metadata, built on first use
}

// mdResult is one version's metadata or the error building it.
type mdResult struct {
	md  resolver.Metadata
	err error
}

// New returns a provider serving idx for target t.
func New(idx *corpus.Index, t target.Target, opts Options) *Provider {
	return &Provider{idx: idx, tags: t.Supported(), opts: opts, projects: map[string]*project{}}
}

// Stats returns the call counters.
func (p *Provider) Stats() Stats {
	return Stats{
		Candidates: int(p.nCandidates.Load()),
		Metadata:   int(p.nMetadata.Load()),
		Prefetch:   int(p.nPrefetch.Load()),
	}
}

// Candidates lists the versions of name with their files.
func (p *Provider) Candidates(ctx context.Context, name string) ([]resolver.Candidate, error) {
	p.nCandidates.Add(1)
	name = names.Canonicalize(name)
	p.mu.RLock()
	pr := p.projects[name]
	p.mu.RUnlock()
	if pr != nil {
		return pr.cands, nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	pr, err := p.project(name)
	if err != nil {
		return nil, err
	}
	return pr.cands, nil
}

// Metadata returns the core metadata of name at v.
func (p *Provider) Metadata(ctx context.Context, name string, v pep440.Version) (resolver.Metadata, error) {
	p.nMetadata.Add(1)
	name = names.Canonicalize(name)
	key := v.String()
	p.mu.RLock()
	if pr := p.projects[name]; pr != nil {
		if r, ok := pr.md[key]; ok {
			p.mu.RUnlock()
			return r.md, r.err
		}
	}
	p.mu.RUnlock()
	p.mu.Lock()
	defer p.mu.Unlock()
	pr, err := p.project(name)
	if err != nil {
		return resolver.Metadata{}, err
	}
	if r, ok := pr.md[key]; ok {
		return r.md, r.err
	}
	r := pr.rels[key]
	if r == nil {
		return resolver.Metadata{}, fmt.Errorf("%s==%s: no such version", name, key)
	}
	md, err := p.metadata(r)
	pr.md[key] = mdResult{md, err}
	return md, err
}

// Prefetch only counts calls: everything is in memory.
func (p *Provider) Prefetch(name string, versions ...pep440.Version) {
	p.nPrefetch.Add(1)
}

// project returns name's project (canonical name), building it; p.mu must
// be held for writing.
func (p *Provider) project(name string) (*project, error) {
	if pr := p.projects[name]; pr != nil {
		return pr, nil
	}
	src := p.idx.Projects[name]
	if src == nil {
		return nil, fmt.Errorf("%s: %w", name, resolver.ErrProjectNotFound)
	}
	pr := &project{rels: map[string]*corpus.Release{}, md: map[string]mdResult{}}
	for i, r := range corpus.SortReleases(src.Releases) {
		v, err := pep440.Parse(r.Version)
		if err != nil {
			continue
		}
		pr.rels[v.String()] = r
		pr.cands = append(pr.cands, resolver.Candidate{Version: v, Dists: p.dists(name, v, r, i)})
	}
	p.projects[name] = pr
	return pr, nil
}

func (p *Provider) dists(name string, v pep440.Version, r *corpus.Release, i int) []resolver.Dist {
	var ds []resolver.Dist
	stem := strings.ReplaceAll(name, "-", "_") + "-" + strings.ReplaceAll(v.String(), "-", "_")
	file := 0
	if r.Wheel {
		for _, tag := range r.WheelTags {
			fn := stem + "-" + tag + ".whl"
			compatible := false
			if w, err := wheel.ParseFilename(fn); err == nil {
				_, compatible = p.tags.Rank(w)
			}
			ds = append(ds, p.dist(r, fn, true, compatible, i, file))
			file++
		}
	}
	if r.Sdist {
		ds = append(ds, p.dist(r, stem+".tar.gz", false, true, i, file))
	}
	return ds
}

func (p *Provider) dist(r *corpus.Release, fn string, isWheel, compatible bool, i, j int) resolver.Dist {
	return resolver.Dist{
		Filename:       fn,
		Wheel:          isWheel,
		Compatible:     compatible,
		RequiresPython: r.RequiresPython,
		Yanked:         r.Yanked,
		YankedReason:   r.YankedReason,
		UploadTime:     corpus.FileUploadTime(r, i, j),
	}
}

func (p *Provider) metadata(r *corpus.Release) (resolver.Metadata, error) {
	md := resolver.Metadata{RequiresPython: r.RequiresPython, ProvidesExtra: r.Extras}
	for _, line := range r.Requires {
		req, err := pep508.ParseRequirement(line)
		if err != nil {
			return resolver.Metadata{}, fmt.Errorf("Requires-Dist %q: %v: %w", line, err, resolver.ErrInvalidMetadata)
		}
		if p.opts.DropMarkers && !req.Marker.IsTrue() && !req.Marker.Mentions("extra") {
			continue
		}
		md.RequiresDist = append(md.RequiresDist, req)
	}
	return md, nil
}
