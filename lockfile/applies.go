package lockfile

import "github.com/pylock/pylock/pypi/pep508"

// AppliesTo reports whether p's marker holds in env: yes with no marker or
// no env (nil: every package counts), and yes for a marker that does not
// parse or evaluate (an installer would fail loudly on it, so it is kept
// in view rather than silently dropped).
func (p *Package) AppliesTo(env pep508.Env) bool {
	if p.Marker == "" || env == nil {
		return true
	}
	m, err := pep508.ParseMarker(p.Marker)
	if err != nil {
		return true
	}
	ok, err := m.Evaluate(env)
	return err != nil || ok
}
