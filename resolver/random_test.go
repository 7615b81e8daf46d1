package resolver_test

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/pylock/pylock/internal/corpus"
	"github.com/pylock/pylock/internal/memprovider"
	"github.com/pylock/pylock/pypi/pep440"
	"github.com/pylock/pylock/pypi/pep508"
	"github.com/pylock/pylock/resolver"
)

// TestRandomAgainstBruteForce resolves small random indexes and compares
// with exhaustive search: a returned resolution must verify, and "no
// solution" must mean that no assignment of versions works.
func TestRandomAgainstBruteForce(t *testing.T) {
	tg, opts, err := parseOptions("")
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(*randomSeed, 2))
	sat, unsat := 0, 0
	for i := range *randomN {
		src, root := randomIndex(rng)
		idx, err := parseIndex(src)
		if err != nil {
			t.Fatal(err)
		}
		reqs, err := parseReqs(root)
		if err != nil {
			t.Fatal(err)
		}
		opts.Resolution = []resolver.ResolutionMode{resolver.ResolutionHighest, resolver.ResolutionLowest, resolver.ResolutionLowestDirect}[i%3]
		res, err := resolver.Resolve(context.Background(), memprovider.New(idx, tg, memprovider.Options{}), reqs, opts)
		var ns *resolver.NoSolutionError
		switch {
		case err == nil:
			sat++
			if p := verify(idx, reqs, opts, res, false); len(p) > 0 {
				t.Fatalf("case %d: invalid resolution %s: %v\nindex:\n%s\nroot: %v", i, summary(res), p, src, root)
			}
		case errors.As(err, &ns):
			unsat++
			if w := bruteForce(idx, reqs); w != "" {
				t.Fatalf("case %d: no solution claimed, but %s works\nindex:\n%s\nroot: %v\n%v", i, w, src, root, err)
			}
		default:
			t.Fatalf("case %d: %v", i, err)
		}
	}
	t.Logf("%d satisfiable, %d unsatisfiable", sat, unsat)
	if sat < 50 || unsat < 50 {
		t.Errorf("generator is unbalanced: %d sat, %d unsat", sat, unsat)
	}
}

var pkgNames = []string{"a", "b", "c", "d", "e"}

func randomIndex(rng *rand.Rand) (string, []string) {
	var b strings.Builder
	for _, n := range pkgNames {
		for v := 1; v <= 1+rng.IntN(4); v++ {
			fmt.Fprintf(&b, "%s %d.0:", n, v)
			var deps []string
			for range rng.IntN(3) {
				d := pkgNames[rng.IntN(len(pkgNames))]
				if d != n {
					deps = append(deps, d+randomExtra(rng)+randomSpec(rng))
				}
			}
			for range rng.IntN(2) {
				d := pkgNames[rng.IntN(len(pkgNames))]
				if d != n {
					deps = append(deps, d+randomSpec(rng)+` ; extra == "f"`)
				}
			}
			b.WriteString(" " + strings.Join(deps, " | ") + "\n")
		}
	}
	var root []string
	for range 1 + rng.IntN(2) {
		root = append(root, pkgNames[rng.IntN(len(pkgNames))]+randomExtra(rng)+randomSpec(rng))
	}
	return b.String(), root
}

func randomExtra(rng *rand.Rand) string {
	if rng.IntN(4) == 0 {
		return "[f]"
	}
	return ""
}

func randomSpec(rng *rand.Rand) string {
	v := 1 + rng.IntN(4)
	switch rng.IntN(5) {
	case 0:
		return ""
	case 1:
		return fmt.Sprintf("==%d.0", v)
	case 2:
		return fmt.Sprintf(">=%d.0", v)
	case 3:
		return fmt.Sprintf("<%d.0", v)
	}
	return fmt.Sprintf("!=%d.0", v)
}

// bruteForce returns a description of a working assignment (every package
// absent or at one version) or "" when there is none. Requested extras are
// the fixpoint of the root's and the chosen packages' active requirements.
func bruteForce(idx *corpus.Index, root []pep508.Requirement) string {
	names := idx.Names()
	choice := make([]*corpus.Release, len(names))
	parsed := map[*corpus.Release][]pep508.Requirement{}
	for _, p := range idx.Projects {
		for _, r := range p.Releases {
			for _, l := range r.Requires {
				parsed[r] = append(parsed[r], pep508.MustParseRequirement(l))
			}
		}
	}
	var try func(i int) bool
	ok := func() bool {
		chosen := map[string]*corpus.Release{}
		for i, r := range choice {
			if r != nil {
				chosen[names[i]] = r
			}
		}
		sat := func(r pep508.Requirement) bool {
			c := chosen[r.NormalizedName()]
			return c != nil && r.Specifier.Contains(pep440.MustParse(c.Version))
		}
		extras := map[string]bool{} // name + "[" + extra
		var active []pep508.Requirement
		for changed := true; changed; {
			changed = false
			active = active[:0]
			active = append(active, root...)
			for n, c := range chosen {
				for _, r := range parsed[c] {
					if r.Marker.IsTrue() || extras[n+"[f"] {
						active = append(active, r)
					}
				}
			}
			for _, r := range active {
				for _, e := range r.NormalizedExtras() {
					if k := r.NormalizedName() + "[" + e; !extras[k] {
						extras[k], changed = true, true
					}
				}
			}
		}
		for _, r := range active {
			if !sat(r) {
				return false
			}
		}
		return true
	}
	try = func(i int) bool {
		if i == len(names) {
			return ok()
		}
		choice[i] = nil
		if try(i + 1) {
			return true
		}
		for _, r := range idx.Projects[names[i]].Releases {
			choice[i] = r
			if try(i + 1) {
				return true
			}
		}
		choice[i] = nil
		return false
	}
	if !try(0) {
		return ""
	}
	var parts []string
	for i, r := range choice {
		if r != nil {
			parts = append(parts, names[i]+"=="+r.Version)
		}
	}
	return strings.Join(parts, " ")
}

var (
	randomN    = flag.Int("random-n", 400, "cases for TestRandomAgainstBruteForce")
	randomSeed = flag.Uint64("random-seed", 1, "seed for TestRandomAgainstBruteForce")
)
