package audit

import (
	"fmt"
	"strings"

	"github.com/pylock/pylock/lockfile"
	"github.com/pylock/pylock/pypi/names"
	"github.com/pylock/pylock/pypi/pep440"
	"github.com/pylock/pylock/pypi/pep508"
)

// Inputs are the requirement inputs as they are now.
type Inputs struct {
	Files        []string // paths, for messages
	Hash         string   // current hash in the lock's Tool.InputsHash format; "" = unknown
	Missing      []string // inputs recorded in the lock that no longer exist
	Requirements []pep508.Requirement
	Constraints  []pep508.Requirement
}

// lockIndex maps canonical names to locked packages.
func lockIndex(l *lockfile.Lock) map[string][]*lockfile.Package {
	m := map[string][]*lockfile.Package{}
	for i := range l.Packages {
		p := &l.Packages[i]
		n := names.Canonicalize(p.Name)
		m[n] = append(m[n], p)
	}
	return m
}

// CheckInputs compares the inputs with the lock: the recorded hash, and
// whether each requirement and constraint is satisfied by the locked set for
// the target env (nil env: markers are not evaluated).
func CheckInputs(l *lockfile.Lock, in Inputs, env pep508.Env) []Finding {
	var out []Finding
	refresh := l.Tool.Command
	if refresh == "" {
		refresh = "pylock resolve " + strings.Join(in.Files, " ")
	}
	recorded := l.Tool.Inputs
	if len(recorded) == 0 {
		recorded = in.Files
	}
	if in.Hash != "" && l.Tool.InputsHash != "" && in.Hash != l.Tool.InputsHash {
		out = append(out, Finding{Kind: KindStaleInputs, Severity: Warning,
			Message: fmt.Sprintf("the inputs (%s) changed since the lock was made (inputs hash %s, lock records %s)",
				strings.Join(recorded, ", "), short(in.Hash), short(l.Tool.InputsHash)),
			Hint: "refresh the lock: " + refresh})
	}
	for _, m := range in.Missing {
		out = append(out, Finding{Kind: KindStaleInputs, Severity: Warning,
			Message: fmt.Sprintf("%s is recorded as an input of the lock but no longer exists", m),
			Hint:    "refresh the lock from the current inputs: " + refresh})
	}
	idx := lockIndex(l)
	check := func(r pep508.Requirement, what string) {
		if !r.Marker.IsTrue() && env != nil {
			if ok, err := r.Marker.Evaluate(env); err == nil && !ok {
				return
			}
		}
		name := r.NormalizedName()
		var locked []*lockfile.Package
		for _, p := range idx[name] {
			if p.AppliesTo(env) {
				locked = append(locked, p)
			}
		}
		if len(locked) == 0 {
			if what == "constraint" {
				return // constraints never add packages
			}
			out = append(out, Finding{Kind: KindUnsatisfied, Severity: Error, Package: name,
				Message: fmt.Sprintf("%s %q is not in the lock", what, r.String()),
				Hint:    "refresh the lock: " + refresh})
			return
		}
		for _, p := range locked {
			v, err := pep440.Parse(p.Version)
			if err != nil || !r.Specifier.Contains(v) {
				out = append(out, Finding{Kind: KindUnsatisfied, Severity: Error, Package: name,
					Message: fmt.Sprintf("%s %q is not satisfied by the locked %s==%s", what, r.String(), name, p.Version),
					Hint:    "refresh the lock: " + refresh})
			}
		}
	}
	for _, r := range in.Requirements {
		check(r, "requirement")
	}
	for _, r := range in.Constraints {
		check(r, "constraint")
	}
	return out
}

func short(h string) string {
	algo, hex, ok := strings.Cut(h, ":")
	if ok && len(hex) > 12 {
		return algo + ":" + hex[:12]
	}
	return h
}
