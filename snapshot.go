package pylock

import (
	"context"
	"maps"
	"slices"

	"github.com/pylock/pylock/pypi/index"
	"github.com/pylock/pylock/pypi/names"
	"github.com/pylock/pylock/pypi/pep440"
	"github.com/pylock/pylock/resolver"
)

// IndexSnapshot is an immutable record of what the index said about the
// versions a resolution chose: for each, the index its project page came
// from, the version's files and its core metadata. The lock builder
// (BuildLock) and the yank warnings read only this, never the provider's
// caches, so a lock is built from exactly the data the resolver saw.
//
// (*Provider).Snapshot produces it by deep copy: later fetches through the
// provider do not change it, and nothing read from it aliases the
// provider's state. Its methods are safe for concurrent use.
type IndexSnapshot struct {
	releases map[string]SnapshotRelease // key: canonical name "==" normalised version
}

// SnapshotRelease is one chosen version as the index described it.
type SnapshotRelease struct {
	Name    string         // canonical project name
	Version pep440.Version // the version
	Index   string         // URL of the index the project page came from (redacted)
	// Metadata is the version's core metadata; nil when it could not be
	// read (the lock then takes Requires-Python from a wheel).
	Metadata *index.Metadata
	// Files are the version's files, best first for the provider's
	// target: compatible wheels by tag rank, other wheels, then sdists
	// (.tar.gz before .zip), ties by filename.
	Files []SnapshotFile
}

// SnapshotFile is one file of a release: the index's listing and what its
// name says.
type SnapshotFile struct {
	index.File
	Wheel bool // false: sdist
	// Compatible is true for a wheel with a tag supported by the
	// provider's target, and for every sdist.
	Compatible bool
}

// Release returns the snapshot of name==v (ok false when the resolution
// did not choose it). The returned value is a copy: changing it does not
// change the snapshot.
func (s *IndexSnapshot) Release(name string, v pep440.Version) (SnapshotRelease, bool) {
	r, ok := s.releases[snapshotKey(name, v)]
	if !ok {
		return SnapshotRelease{}, false
	}
	return r.clone(), true
}

// release is Release for pylock's own readers (lock building, warnings):
// the file list is a copy (universal locking rewrites Compatible), but the
// hash maps and the metadata are the snapshot's, read-only. A deep copy of
// every file's two hash maps for each of the three readers was a good part
// of a warm run's lock building.
func (s *IndexSnapshot) release(name string, v pep440.Version) (SnapshotRelease, bool) {
	r, ok := s.releases[snapshotKey(name, v)]
	if !ok {
		return SnapshotRelease{}, false
	}
	r.Files = slices.Clone(r.Files)
	return r, true
}

func snapshotKey(name string, v pep440.Version) string {
	return names.Canonicalize(name) + "==" + v.String()
}

// clone deep-copies r.
func (r SnapshotRelease) clone() SnapshotRelease {
	if r.Metadata != nil {
		md := *r.Metadata
		md.RequiresDist = slices.Clone(md.RequiresDist)
		md.ProvidesExtra = slices.Clone(md.ProvidesExtra)
		md.Dynamic = slices.Clone(md.Dynamic)
		r.Metadata = &md
	}
	r.Files = slices.Clone(r.Files)
	for i := range r.Files {
		r.Files[i].Hashes = maps.Clone(r.Files[i].Hashes)
		r.Files[i].CoreMetadataHashes = maps.Clone(r.Files[i].CoreMetadataHashes)
	}
	return r
}

// Snapshot records what the index said about every version sol chose
// (project page, files, core metadata), fetching through p's memo: after a
// resolution everything is already known, so it normally sends no request.
// A chosen version missing from its project page is an error; unreadable
// metadata is recorded as nil.
func (p *Provider) Snapshot(ctx context.Context, sol *resolver.Result) (*IndexSnapshot, error) {
	s := &IndexSnapshot{releases: map[string]SnapshotRelease{}}
	for _, rp := range sol.Packages {
		k := snapshotKey(rp.Name, rp.Version)
		if _, ok := s.releases[k]; ok {
			continue
		}
		r, err := p.release(ctx, rp.Name, rp.Version)
		if err != nil {
			return nil, err
		}
		pr, err := p.project(ctx, rp.Name)
		if err != nil {
			return nil, err
		}
		sr := SnapshotRelease{Name: names.Canonicalize(rp.Name), Version: rp.Version, Index: pr.index}
		if md, err := p.metadata(ctx, rp.Name, rp.Version); err == nil {
			sr.Metadata = md
		}
		for _, f := range r.files {
			sr.Files = append(sr.Files, f.snapshot())
		}
		s.releases[k] = sr.clone()
	}
	return s, nil
}
