package audit

import (
	"fmt"

	"github.com/pylock/pylock/lockfile"
	"github.com/pylock/pylock/pypi/target"
	"github.com/pylock/pylock/pypi/wheel"
)

// CheckCoverage reports, for the target t, locked packages (whose marker
// holds) without a compatible wheel: they need an sdist build at install
// time (warning), or cannot be installed at all (error).
func CheckCoverage(l *lockfile.Lock, t target.Target) []Finding {
	var out []Finding
	env, tags := t.Env(), t.Supported()
	for i := range l.Packages {
		p := &l.Packages[i]
		if !p.AppliesTo(env) || p.VCS != nil || p.Directory != nil || p.Archive != nil {
			continue
		}
		ok := false
		for _, w := range p.Wheels {
			if wf, err := wheel.ParseFilename(w.Name); err == nil {
				if _, compat := tags.Rank(wf); compat {
					ok = true
					break
				}
			}
		}
		if ok {
			continue
		}
		name := canonical(p.Name)
		if p.Sdist != nil {
			out = append(out, Finding{Kind: KindNoWheel, Severity: Warning, Package: name,
				Message: fmt.Sprintf("%s==%s has no wheel for %s; pip will build %s at install time", name, p.Version, t, p.Sdist.Name),
				Hint:    "build tools and compilers must be present in the image, or pin a version with wheels for this platform"})
		} else {
			out = append(out, Finding{Kind: KindNoWheel, Severity: Error, Package: name,
				Message: fmt.Sprintf("%s==%s has neither a wheel for %s nor an sdist", name, p.Version, t)})
		}
	}
	return out
}
