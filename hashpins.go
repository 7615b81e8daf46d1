package pylock

import (
	"fmt"
	"strings"

	"github.com/pylock/pylock/lockfile"
	"github.com/pylock/pylock/pypi/names"
	"github.com/pylock/pylock/pypi/reqfile"
)

// hashPin is the --hash options given for one project in the inputs
// (pip's --require-hashes semantics): the lock may list only files of the
// project whose hash is one of them.
type hashPin struct {
	entry  reqfile.Entry       // the first requirement line with hashes, for errors
	hashes map[string][]string // algorithm -> lower-case hex digests
	given  []string            // "alg:hex" as written, in order, for errors
}

// addHashPins records the hashes of every entry that has some. Several
// lines for one project add up (any of their hashes is accepted).
func (in *inputs) addHashPins(es []reqfile.Entry) error {
	for _, e := range es {
		if len(e.Hashes) == 0 || e.Requirement.Name == "" || e.Direct != nil { // a direct reference's hashes are checked when it is fetched
			continue
		}
		if in.hashPins == nil {
			in.hashPins = map[string]*hashPin{}
		}
		key := names.Canonicalize(e.Requirement.Name)
		hp := in.hashPins[key]
		if hp == nil {
			hp = &hashPin{entry: e, hashes: map[string][]string{}}
			in.hashPins[key] = hp
		}
		for _, h := range e.Hashes {
			alg, hex, ok := strings.Cut(h, ":")
			if !ok || alg == "" || hex == "" {
				err := e.Errorf("invalid --hash %q: want ALGORITHM:HEX (sha256:...) in", h)
				return err
			}
			hp.hashes[strings.ToLower(alg)] = append(hp.hashes[strings.ToLower(alg)], strings.ToLower(hex))
			hp.given = append(hp.given, h)
		}
	}
	return nil
}

// matches reports whether one of a's hashes is among the pinned ones.
func (hp *hashPin) matches(a lockfile.Artifact) bool {
	for alg, hex := range a.Hashes {
		for _, want := range hp.hashes[strings.ToLower(alg)] {
			if strings.EqualFold(hex, want) {
				return true
			}
		}
	}
	return false
}

// applyHashPin keeps only pkg's files whose hash was given in the inputs.
// When none is left it fails (exit 2, bad input) naming the requirement
// line and the hashes: the inputs pin files this version does not have.
func applyHashPin(pkg *lockfile.Package, hp *hashPin) error {
	if hp == nil {
		return nil
	}
	var wheels []lockfile.Artifact
	for _, w := range pkg.Wheels {
		if hp.matches(w) {
			wheels = append(wheels, w)
		}
	}
	pkg.Wheels = wheels
	if pkg.Sdist != nil && !hp.matches(*pkg.Sdist) {
		pkg.Sdist = nil
	}
	if len(pkg.Wheels) > 0 || pkg.Sdist != nil {
		return nil
	}
	err := hp.entry.Errorf("no file of %s %s usable for this target matches the hashes of", pkg.Name, pkg.Version)
	err.Err = fmt.Errorf("given %s; the lock may list only files with one of these hashes (pip --require-hashes)", strings.Join(hp.given, ", "))
	return usageErr(err)
}
