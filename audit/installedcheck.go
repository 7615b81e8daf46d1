package audit

import (
	"fmt"
	"sort"

	"github.com/pylock/pylock/audit/installed"
	"github.com/pylock/pylock/lockfile"
	"github.com/pylock/pylock/pypi/pep440"
	"github.com/pylock/pylock/pypi/pep508"
)

// toolDists are installer tooling commonly present in every environment;
// unlocked copies are reported as info, not warnings.
var toolDists = map[string]bool{"pip": true, "setuptools": true, "wheel": true, "distribute": true}

// CheckInstalled compares an installed environment with the lock for env.
func CheckInstalled(l *lockfile.Lock, inst *installed.Env, env pep508.Env) []Finding {
	var out []Finding
	locked := map[string]bool{}
	for i := range l.Packages {
		p := &l.Packages[i]
		if !p.AppliesTo(env) {
			continue
		}
		name := canonical(p.Name)
		locked[name] = true
		d, ok := inst.Dists[name]
		if !ok && env == nil && p.Marker != "" {
			continue // no marker environment (universal lock, --site-packages): it may not belong here
		}
		if !ok {
			out = append(out, Finding{Kind: KindMissing, Severity: Error, Package: name,
				Message: fmt.Sprintf("%s==%s is locked but not installed", name, p.Version)})
			continue
		}
		if p.Version != "" && !pep440.SameVersion(d.Version, p.Version) { // a directory's version is not locked
			out = append(out, Finding{Kind: KindVersionMismatch, Severity: Error, Package: name,
				Message: fmt.Sprintf("%s: installed %s, locked %s", name, d.Version, p.Version),
				Hint:    fmt.Sprintf("reinstall from the lock (pylock plan), or re-lock if %s is intended", d.Version)})
			continue
		}
		for _, t := range d.Verify() {
			out = append(out, Finding{Kind: KindTampered, Severity: Error, Package: name,
				Message: fmt.Sprintf("%s==%s: %s: %s (RECORD)", name, d.Version, t.Path, t.Reason)})
		}
	}
	extra := []string{}
	for n := range inst.Dists {
		if !locked[n] {
			extra = append(extra, n)
		}
	}
	sort.Strings(extra)
	for _, n := range extra {
		sev := Warning
		if toolDists[n] {
			sev = Info
		}
		out = append(out, Finding{Kind: KindExtra, Severity: sev, Package: n,
			Message: fmt.Sprintf("%s==%s is installed but not in the lock", n, inst.Dists[n].Version)})
	}
	return out
}
