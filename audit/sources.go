package audit

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/pylock/pylock/lockfile"
	"github.com/pylock/pylock/pypi/sdist"
	"github.com/pylock/pylock/pypi/vcs"
)

// KindSourceDrift is a direct-reference source that changed since the lock:
// a directory whose tree changed, a VCS revision that now names another
// commit, an archive whose bytes changed.
const KindSourceDrift = "source-drift"

func init() {
	kindOrder = append(kindOrder, KindSourceDrift)
	kindTitle[KindSourceDrift] = "Direct-reference sources changed since the lock"
}

// Resolver resolves a VCS revision to its commit id (vcs.Git does).
type Resolver interface {
	Resolve(ctx context.Context, url, ref string) (string, error)
}

// SourceOptions configures CheckSources.
type SourceOptions struct {
	// LockDir is the directory relative paths in the lock start from.
	LockDir string
	// Git resolves VCS revisions; nil skips VCS sources.
	Git Resolver
	// Fetch downloads an archive URL; nil skips remote archives (offline).
	Fetch func(ctx context.Context, url string) ([]byte, error)
}

// CheckSources reports drift of the lock's direct references: a directory
// whose tree hash differs from the recorded one (warning), a requested VCS
// revision that now resolves to another commit or no longer exists
// (warning: the lock still installs its commit), and an archive whose bytes
// no longer match the locked hash (error: installing fails). An error is a
// failure to ask (git or network), not drift.
func CheckSources(ctx context.Context, l *lockfile.Lock, o SourceOptions) ([]Finding, error) {
	var out []Finding
	for i := range l.Packages {
		p := &l.Packages[i]
		var f *Finding
		var err error
		switch {
		case p.Directory != nil:
			f = checkDirectory(p, o)
		case p.VCS != nil && o.Git != nil:
			f, err = checkVCS(ctx, p, o)
		case p.Archive != nil:
			f, err = checkArchive(ctx, p, o)
		}
		if err != nil {
			return out, fmt.Errorf("%s: %w", p.Name, err)
		}
		if f != nil {
			out = append(out, *f)
		}
	}
	return out, nil
}

func (o SourceOptions) local(p string) string {
	p = filepath.FromSlash(p)
	if filepath.IsAbs(p) || o.LockDir == "" {
		return p
	}
	return filepath.Join(o.LockDir, p)
}

func drift(sev Severity, pkg, msg, hint string) *Finding {
	return &Finding{Kind: KindSourceDrift, Severity: sev, Package: pkg, Message: msg, Hint: hint}
}

func checkDirectory(p *lockfile.Package, o SourceOptions) *Finding {
	d, _ := p.DirectorySource()
	dir := o.local(d.Path)
	if _, err := os.Stat(dir); err != nil {
		return drift(Error, p.Name, fmt.Sprintf("directory %s is gone", d.Path), "restore it or re-run pylock resolve")
	}
	want := p.TreeHash()
	if want == "" {
		return nil // nothing recorded to compare with
	}
	got, err := sdist.TreeHash(dir)
	if err != nil {
		return drift(Error, p.Name, err.Error(), "")
	}
	if got != want {
		return drift(Warning, p.Name, fmt.Sprintf("directory %s changed since the lock (tree %s, locked %s)", d.Path, short(got), short(want)),
			"re-run pylock resolve if its dependencies or version changed")
	}
	return nil
}

func checkVCS(ctx context.Context, p *lockfile.Package, o SourceOptions) (*Finding, error) {
	v, _ := p.VCSSource()
	if v.Type != "git" || vcs.IsCommitID(v.RequestedRevision) {
		return nil, nil // pinned to a commit: cannot move
	}
	url := v.URL
	if url == "" {
		url = o.local(v.Path)
	}
	rev := v.RequestedRevision
	what := "revision " + rev
	if rev == "" {
		what = "the default branch"
	}
	got, err := o.Git.Resolve(ctx, url, rev)
	var nf *vcs.RefNotFoundError
	switch {
	case errors.As(err, &nf):
		return drift(Warning, p.Name, fmt.Sprintf("%s of %s no longer exists (locked commit %s)", what, url, v.CommitID),
			"the lock still installs its commit; re-run pylock resolve to follow the repository"), nil
	case err != nil:
		return nil, err
	case got != v.CommitID:
		return drift(Warning, p.Name, fmt.Sprintf("%s of %s now points to %s (locked %s)", what, url, abbrev(got), abbrev(v.CommitID)),
			"the lock still installs its commit; re-run pylock resolve to move to the new one"), nil
	}
	return nil, nil
}

func checkArchive(ctx context.Context, p *lockfile.Package, o SourceOptions) (*Finding, error) {
	a := p.Archive
	want := a.Hashes["sha256"]
	if want == "" {
		return nil, nil
	}
	var data []byte
	var err error
	where := a.URL
	if a.URL != "" {
		if o.Fetch == nil {
			return nil, nil
		}
		data, err = o.Fetch(ctx, a.URL)
		if err != nil {
			return nil, err
		}
	} else {
		where = a.Path
		data, err = os.ReadFile(o.local(a.Path))
		if errors.Is(err, os.ErrNotExist) {
			return drift(Error, p.Name, fmt.Sprintf("archive %s is gone", a.Path), "restore it or re-run pylock resolve"), nil
		}
		if err != nil {
			return nil, err
		}
	}
	sum := sha256.Sum256(data)
	if got := hex.EncodeToString(sum[:]); got != want {
		return drift(Error, p.Name, fmt.Sprintf("archive %s changed: sha256 %s, locked %s", where, abbrev(got), abbrev(want)),
			"installing the lock fails its hash check; re-run pylock resolve if the new file is trusted"), nil
	}
	return nil, nil
}

// abbrev shortens a commit id or hex digest to 12 digits.
func abbrev(h string) string {
	if len(h) > 12 {
		return h[:12]
	}
	return h
}

// isDirect reports whether p comes from a direct reference (archive, VCS
// or directory) rather than an index.
func isDirect(p *lockfile.Package) bool {
	return p.VCS != nil || p.Directory != nil || p.Archive != nil
}
