package resolver_test

import (
	"context"
	"errors"
	"flag"

	"os"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/txtar"

	"github.com/pylock/pylock/internal/corpus"
	"github.com/pylock/pylock/internal/memprovider"
	"github.com/pylock/pylock/internal/testenv"
	"github.com/pylock/pylock/pypi/pep440"
	"github.com/pylock/pylock/resolver"
)

var writeBaseline = flag.Bool("write-baseline", false, "rewrite testdata/resolvelib-baseline.txt from the current solver")

const baselinePath = "testdata/resolvelib-baseline.txt"

// maxStepFactor bounds how many more steps than the baseline a resolvelib
// case may take (plus maxStepSlack).
const (
	maxStepFactor = 2
	maxStepSlack  = 20
)

// TestResolvelibNoWorse resolves every resolvelib case in both modes and
// compares with testdata/resolvelib-baseline.txt, the answers and step
// counts of the solver before conflict-driven prioritisation (written with
// -write-baseline at that commit): a case that had a solution still has
// one, no package it shares with the baseline is older, and the steps stay
// within maxStepFactor (a case without one still has none). In
// drop-markers mode, where the corpus knows the answer, no package may be
// older than the corpus's either.
func TestResolvelibNoWorse(t *testing.T) {
	cases, err := corpus.LoadAllResolvelib(testenv.CorpusDir(t))
	if err != nil {
		t.Fatal(err)
	}
	base := map[string]string{}
	if !*writeBaseline {
		data, err := os.ReadFile(baselinePath)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range lines(string(data)) {
			k, v, _ := strings.Cut(l, " | ")
			base[k] = v
		}
	}
	var out []string
	newer, same, stepsBefore, stepsAfter := 0, 0, 0, 0
	for _, c := range cases {
		for _, drop := range []bool{true, false} {
			key := c.Name + " " + modeName(drop)
			tg, opts := resolvelibEnv(t)
			p := memprovider.New(c.Index, tg, memprovider.Options{DropMarkers: drop})
			root, err := parseReqs(c.Requested)
			if err != nil {
				t.Fatal(err)
			}
			res, err := resolver.Resolve(context.Background(), p, root, opts)
			var ns *resolver.NoSolutionError
			if err != nil && !errors.As(err, &ns) {
				t.Fatalf("%s: %v", key, err)
			}
			got := "no solution"
			if res != nil {
				got = "steps=" + strconv.Itoa(res.Stats.Steps) + " " + summary(res)
			}
			out = append(out, key+" | "+got)
			if *writeBaseline {
				continue
			}
			want, ok := base[key]
			switch {
			case !ok:
				t.Errorf("%s: not in %s", key, baselinePath)
				continue
			case (want == "no solution") != (res == nil):
				t.Errorf("%s: baseline %q, now %q", key, want, got)
				continue
			case res == nil:
				continue
			}
			wantSteps, wantVersions := parseBaseline(t, want)
			stepsBefore += wantSteps
			stepsAfter += res.Stats.Steps
			if res.Stats.Steps > maxStepFactor*wantSteps+maxStepSlack {
				t.Errorf("%s: %d steps, baseline %d", key, res.Stats.Steps, wantSteps)
			}
			n, s := compareVersions(t, key+" vs baseline", wantVersions, res)
			newer, same = newer+n, same+s
			if drop && c.Known() && c.Satisfiable() {
				compareVersions(t, key+" vs corpus", c.Resolved, res)
			}
		}
	}
	if *writeBaseline {
		sort.Strings(out)
		if err := os.WriteFile(baselinePath, []byte(strings.Join(out, "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Logf("versions shared with the baseline: %d same, %d newer; steps %d before, %d now", same, newer, stepsBefore, stepsAfter)
}

// parseBaseline reads "steps=N a==1 b==2".
func parseBaseline(t *testing.T, s string) (int, map[string]string) {
	f := strings.Fields(s)
	n, err := strconv.Atoi(strings.TrimPrefix(f[0], "steps="))
	if err != nil {
		t.Fatalf("baseline %q: %v", s, err)
	}
	vs := map[string]string{}
	for _, nv := range f[1:] {
		name, v, _ := strings.Cut(nv, "==")
		vs[name] = v
	}
	return n, vs
}

// compareVersions fails when res has an older version than want of a
// package both name; it returns how many are newer and how many the same.
func compareVersions(t *testing.T, what string, want map[string]string, res *resolver.Result) (newer, same int) {
	t.Helper()
	for _, p := range res.Packages {
		w, ok := want[p.Name]
		if !ok {
			continue
		}
		wv, err := pep440.Parse(w)
		if err != nil {
			t.Fatalf("%s: %s==%s: %v", what, p.Name, w, err)
		}
		switch c := p.Version.Compare(wv); {
		case c < 0:
			t.Errorf("%s: %s==%s is older than %s", what, p.Name, p.Version, w)
		case c > 0:
			newer++
		default:
			same++
		}
	}
	return newer, same
}

// TestConflictPriorityUniversal resolves the conflict-priority scenarios
// universally: the fork resolver runs the same decision loop, so it must
// give the same answer as the single-target one (testdata want sections).
func TestConflictPriorityUniversal(t *testing.T) {
	for _, name := range []string{"conflict-priority", "conflict-priority-boto"} {
		t.Run(name, func(t *testing.T) {
			ar, err := txtar.ParseFile("testdata/" + name + ".txt")
			if err != nil {
				t.Fatal(err)
			}
			sec := map[string]string{}
			for _, f := range ar.Files {
				sec[f.Name] = string(f.Data)
			}
			idx, err := parseIndex(sec["index"])
			if err != nil {
				t.Fatal(err)
			}
			root, err := parseReqs(lines(sec["root"]))
			if err != nil {
				t.Fatal(err)
			}
			tg, _ := resolvelibEnv(t)
			res, err := resolver.ResolveUniversal(context.Background(), memprovider.New(idx, tg, memprovider.Options{}), root, resolver.UniversalOptions{RequiresPython: ">=3.8"})
			if err != nil {
				t.Fatal(err)
			}
			var got strings.Builder
			for _, p := range res.Packages {
				got.WriteString(p.Name + " " + p.Version.String() + "\n")
			}
			if got.String() != sec["want"] {
				t.Errorf("got\n%swant\n%s", got.String(), sec["want"])
			}
		})
	}
}
