package corpus

import (
	"errors"
	"sort"
	"time"

	"github.com/pelletier/go-toml/v2"

	"github.com/pylock/pylock/pypi/names"
	"github.com/pylock/pylock/pypi/pep440"
)

// BaseUploadTime is the upload time of a project's first release when not
// given explicitly; release i (ascending PEP 440 order) is i days later and
// its j-th file j minutes after that, as bench/pyindex.py derives them.
var BaseUploadTime = time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)

// project returns the project for name (canonicalised), creating it.
func (idx *Index) project(name string) *Project {
	c := names.Canonicalize(name)
	p := idx.Projects[c]
	if p == nil {
		p = &Project{Name: c}
		idx.Projects[c] = p
	}
	return p
}

// Names returns the canonical project names in sorted order.
func (idx *Index) Names() []string {
	out := make([]string, 0, len(idx.Projects))
	for n := range idx.Projects {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// sortReleases orders every project's releases by their text so that
// loading is deterministic (use SortReleases for PEP 440 order).
func (idx *Index) sortReleases() {
	for _, p := range idx.Projects {
		sort.Slice(p.Releases, func(i, j int) bool { return p.Releases[i].Version < p.Releases[j].Version })
	}
}

// SortReleases returns rs sorted ascending by PEP 440 order; versions that
// do not parse sort after all others, by text.
func SortReleases(rs []*Release) []*Release {
	type kv struct {
		r  *Release
		v  pep440.Version
		ok bool
	}
	ks := make([]kv, len(rs))
	for i, r := range rs {
		v, err := pep440.Parse(r.Version)
		ks[i] = kv{r, v, err == nil}
	}
	sort.SliceStable(ks, func(i, j int) bool {
		a, b := ks[i], ks[j]
		if a.ok != b.ok {
			return a.ok
		}
		if a.ok {
			if c := a.v.Compare(b.v); c != 0 {
				return c < 0
			}
		}
		return a.r.Version < b.r.Version
	})
	out := make([]*Release, len(rs))
	for i, k := range ks {
		out[i] = k.r
	}
	return out
}

// FileUploadTime returns the upload time of the j-th file (0-based) of r,
// the i-th release (0-based, ascending version order) of its project:
// r.UploadTime when set, else BaseUploadTime + i days; plus j minutes.
func FileUploadTime(r *Release, i, j int) time.Time {
	t := r.UploadTime
	if t.IsZero() {
		t = BaseUploadTime.AddDate(0, 0, i)
	}
	return t.Add(time.Duration(j) * time.Minute)
}

func asDecodeError(err error, de **toml.DecodeError) bool { return errors.As(err, de) }

func asStrict(err error, sm **toml.StrictMissingError) bool { return errors.As(err, sm) }
