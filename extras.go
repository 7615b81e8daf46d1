package pylock

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/pylock/pylock/pypi/index"
	"github.com/pylock/pylock/pypi/names"
	"github.com/pylock/pylock/pypi/pep508"
	"github.com/pylock/pylock/resolver"
)

// extraWarnings warns, as uv does, about each extra requested of a locked
// version (by the inputs or by a dependent) that the version does not
// have: "the package pillow==10.1.0 does not have an extra named nosuch".
// An extra is known when the metadata lists it in Provides-Extra or, for
// the target env (nil: not checked), a Requires-Dist depends on it.
// Metadata older than 2.1 without Provides-Extra cannot tell: no warning.
func extraWarnings(snap *IndexSnapshot, sol *resolver.Result, env pep508.Env) []string {
	var out []string
	seen := map[string]bool{}
	for _, p := range sol.Packages {
		if len(p.Extras) == 0 {
			continue
		}
		rel, ok := snap.release(p.Name, p.Version)
		if !ok || rel.Metadata == nil {
			continue
		}
		for _, e := range p.Extras {
			key := p.Name + "==" + p.Version.String() + "[" + names.Canonicalize(e) + "]"
			if seen[key] || hasExtra(rel.Metadata, e, env) {
				continue
			}
			seen[key] = true
			out = append(out, fmt.Sprintf("the package %s==%s does not have an extra named %s", p.Name, p.Version, e))
		}
	}
	return out
}

// hasExtra reports whether md declares extra e (see extraWarnings); true
// when it cannot tell.
func hasExtra(md *index.Metadata, e string, env pep508.Env) bool {
	want := names.Canonicalize(e)
	if slices.ContainsFunc(md.ProvidesExtra, func(x string) bool { return names.Canonicalize(x) == want }) {
		return true
	}
	if len(md.ProvidesExtra) == 0 && !metadataAtLeast(md.MetadataVersion, 2, 1) {
		return true
	}
	if env == nil {
		return false
	}
	for _, rd := range md.RequiresDist {
		r, err := pep508.ParseRequirement(rd)
		if err != nil || r.Marker.IsTrue() {
			continue
		}
		with, err1 := r.Marker.EvaluateExtras(env, []string{e})
		without, err2 := r.Marker.EvaluateExtras(env, nil)
		if err1 == nil && err2 == nil && with && !without {
			return true
		}
	}
	return false
}

// metadataAtLeast reports whether a Metadata-Version ("2.1") is at least
// major.minor.
func metadataAtLeast(v string, major, minor int) bool {
	a, b, _ := strings.Cut(v, ".")
	ma, err1 := strconv.Atoi(a)
	mi, err2 := strconv.Atoi(b)
	if err1 != nil || err2 != nil {
		return false
	}
	return ma > major || ma == major && mi >= minor
}
