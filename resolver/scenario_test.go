package resolver_test

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/txtar"

	"github.com/pylock/pylock/internal/corpus"
	"github.com/pylock/pylock/internal/memprovider"
	"github.com/pylock/pylock/pypi/names"
	"github.com/pylock/pylock/pypi/pep440"
	"github.com/pylock/pylock/pypi/pep508"
	"github.com/pylock/pylock/pypi/target"
	"github.com/pylock/pylock/resolver"
)

var update = flag.Bool("update", false, "rewrite the want sections of testdata/*.txt")

// TestScenarios runs testdata/*.txt in single-target mode: txtar files
// with sections
//
//	-- index --    one release per line: `name version [attrs]: dep | dep`
//	               attrs: python=SPEC yanked nowheel nosdist tags=T1,T2 time=RFC3339
//	-- options --  `key value` lines (python, platform, prerelease,
//	               resolution, exclude-newer, only-binary, no-binary,
//	               constraint, override, prefer name==v, upgrade,
//	               upgrade-package, max-steps, conflict `a==1 b SPEC reason`)
//	-- root --     one requirement per line
//	-- want --     `name version [extras]` lines, or `error:` / `budget:`
//	               followed by the explanation (golden; -update rewrites)
//
// TestUniversalScenarios runs testdata/universal/*.txt the same way in
// universal mode.
func TestScenarios(t *testing.T) { runScenarioDir(t, "testdata", singleMode) }

// TestUniversalScenarios runs testdata/universal/*.txt, txtar files in the
// format of TestScenarios whose options may also hold `requires-python
// SPEC`, `max-forks N`, `environment MARKER` and `required-environment
// MARKER` (repeatable), and whose want section lists
// `name version [extras] ; marker` lines then the forks (`fork: marker`),
// or `error:` / `budget:` and the explanation.
func TestUniversalScenarios(t *testing.T) { runScenarioDir(t, "testdata/universal", universalMode) }

// runScenarioDir runs every dir/*.txt scenario in mode m.
func runScenarioDir(t *testing.T, dir string, m mode) {
	files, _ := filepath.Glob(filepath.Join(dir, "*.txt"))
	if len(files) == 0 {
		t.Fatalf("no %s/*.txt", dir)
	}
	for _, f := range files {
		t.Run(strings.TrimSuffix(filepath.Base(f), ".txt"), func(t *testing.T) { runScenario(t, f, m) })
	}
}

// runScenario resolves the scenario at path in mode m and compares the
// rendered answer with its want section (-update rewrites it); every answer
// is also checked by the mode's independent checker (verify or
// verifyUniversal) and for determinism (a second run gives the same bytes).
func runScenario(t *testing.T, path string, m mode) {
	ar, err := txtar.ParseFile(path)
	if err != nil {
		t.Fatal(err)
	}
	sec := map[string]string{}
	for _, f := range ar.Files {
		sec[f.Name] = string(f.Data)
	}
	idx, err := parseIndex(sec["index"])
	if err != nil {
		t.Fatalf("%s: index: %v", path, err)
	}
	tg, opts, err := parseModeOptions(sec["options"], m)
	if err != nil {
		t.Fatalf("%s: options: %v", path, err)
	}
	if m.universal {
		tg = mustTarget(t)
	}
	root, err := parseReqs(lines(sec["root"]))
	if err != nil {
		t.Fatalf("%s: root: %v", path, err)
	}
	var events []resolver.Event
	opts.Progress = func(e resolver.Event) { events = append(events, e) }
	run := func() (*resolver.Result, error) {
		return m.resolve(memprovider.New(idx, tg, memprovider.Options{}), root, opts)
	}
	res, err := run()
	got := renderResult(res, err)
	if res != nil {
		if problems := m.verify(idx, root, opts, res); len(problems) > 0 {
			t.Errorf("checker: %s", strings.Join(problems, "; "))
		}
	}
	if *update {
		for i := range ar.Files {
			if ar.Files[i].Name == "want" {
				ar.Files[i].Data = []byte(got)
			}
		}
		if err := os.WriteFile(path, txtar.Format(ar), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if want := sec["want"]; got != want {
		t.Errorf("%s: got\n%s\nwant\n%s", path, got, want)
	}
	if again := renderResult(run()); again != got {
		t.Errorf("second run differs:\n%s", again)
	}
}

// renderResult is a scenario's answer as its want section holds it: one
// `name version [extras][ ; marker]` line a package then, for a universal
// result, one `fork: marker` line a fork; or `error:` / `budget:` and the
// explanation.
func renderResult(res *resolver.Result, err error) string {
	var b strings.Builder
	var ns *resolver.NoSolutionError
	var be *resolver.BudgetError
	switch {
	case errors.As(err, &ns):
		b.WriteString("error:\n" + ns.Explanation + "\n")
	case errors.As(err, &be):
		b.WriteString("budget:\n" + be.Partial + "\n")
	case err != nil:
		b.WriteString("failure: " + err.Error() + "\n")
	default:
		for _, p := range res.Packages {
			b.WriteString(p.Name + " " + p.Version.String())
			if len(p.Extras) > 0 {
				b.WriteString(" [" + strings.Join(p.Extras, ",") + "]")
			}
			if !p.Marker.IsTrue() {
				b.WriteString(" ; " + p.Marker.String())
			}
			b.WriteByte('\n')
		}
		for _, f := range res.Forks {
			if f.IsTrue() {
				b.WriteString("fork: (all)\n")
			} else {
				b.WriteString("fork: " + f.String() + "\n")
			}
		}
	}
	return b.String()
}

func lines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			out = append(out, l)
		}
	}
	return out
}

// parseIndex reads `name version [attrs]: dep | dep` lines.
func parseIndex(src string) (*corpus.Index, error) {
	idx := &corpus.Index{Projects: map[string]*corpus.Project{}}
	for _, l := range lines(src) {
		head, deps, attrs := l, "", ""
		if i := strings.IndexByte(l, ']'); i >= 0 && strings.IndexByte(l, '[') < strings.IndexByte(l+":", ':') {
			head, deps, _ = strings.Cut(l[i+1:], ":")
			head, attrs = l[:strings.IndexByte(l, '[')], l[strings.IndexByte(l, '[')+1:i]
		} else {
			head, deps, _ = strings.Cut(l, ":")
		}
		f := strings.Fields(head)
		if len(f) != 2 {
			return nil, fmt.Errorf("%q: want `name version`", l)
		}
		r := &corpus.Release{Version: f[1], Wheel: true, Sdist: true, WheelTags: []string{"py3-none-any"}}
		for _, d := range strings.Split(deps, "|") {
			if d = strings.TrimSpace(d); d != "" {
				r.Requires = append(r.Requires, d)
			}
		}
		if err := applyAttrs(r, attrs); err != nil {
			return nil, fmt.Errorf("%q: %v", l, err)
		}
		name := names.Canonicalize(f[0])
		p := idx.Projects[name]
		if p == nil {
			p = &corpus.Project{Name: name}
			idx.Projects[name] = p
		}
		p.Releases = append(p.Releases, r)
	}
	return idx, nil
}

func applyAttrs(r *corpus.Release, attrs string) error {
	for _, a := range strings.Fields(attrs) {
		k, v, _ := strings.Cut(a, "=")
		switch k {
		case "python>", "python<", "python":
			r.RequiresPython = strings.TrimPrefix(a, "python")
		case "yanked":
			r.Yanked = true
		case "nowheel":
			r.Wheel, r.WheelTags = false, nil
		case "nosdist":
			r.Sdist = false
		case "tags":
			r.WheelTags = strings.Split(v, ",")
		case "time":
			t, err := time.Parse(time.RFC3339, v)
			if err != nil {
				return err
			}
			r.UploadTime = t
		default:
			return fmt.Errorf("unknown attribute %q", a)
		}
	}
	return nil
}

func parseOptions(src string) (target.Target, resolver.Options, error) {
	python, platform := "3.12", "x86_64-unknown-linux-gnu"
	var opts resolver.Options
	for _, l := range lines(src) {
		k, v, _ := strings.Cut(l, " ")
		v = strings.TrimSpace(v)
		var err error
		switch k {
		case "python":
			python = v
		case "platform":
			platform = v
		case "prerelease":
			opts.Prerelease = resolver.PrereleaseMode(v)
		case "resolution":
			opts.Resolution = resolver.ResolutionMode(v)
		case "exclude-newer":
			opts.ExcludeNewer, err = time.Parse(time.RFC3339, v)
		case "only-binary":
			opts.OnlyBinary = binaryPolicy(strings.Split(v, ","))
		case "no-binary":
			opts.NoBinary = binaryPolicy(strings.Split(v, ","))
		case "constraint", "override":
			var r pep508.Requirement
			if r, err = pep508.ParseRequirement(v); err == nil {
				if k == "constraint" {
					opts.Constraints = append(opts.Constraints, r)
				} else {
					opts.Overrides = append(opts.Overrides, r)
				}
			}
		case "prefer":
			n, ver, _ := strings.Cut(v, "==")
			if opts.Preferences == nil {
				opts.Preferences = map[string]pep440.Version{}
			}
			opts.Preferences[names.Canonicalize(n)], err = pep440.Parse(ver)
		case "upgrade":
			opts.Upgrade = true
		case "upgrade-package":
			opts.UpgradePackages = append(opts.UpgradePackages, v)
		case "max-steps":
			opts.MaxSteps, err = strconv.Atoi(v)
		case "conflict":
			err = addConflict(&opts, v)
		default:
			err = fmt.Errorf("unknown option %q", k)
		}
		if err != nil {
			return target.Target{}, opts, fmt.Errorf("%q: %v", l, err)
		}
	}
	tg, err := target.New(python, platform)
	if err != nil {
		return tg, opts, err
	}
	opts.Env, opts.Python = tg.Env(), pep440.MustParse(python)
	return tg, opts, nil
}

// addConflict parses `a==1.0 b <2 reason words` into an Options.Conflicts rule.
func addConflict(opts *resolver.Options, v string) error {
	f := strings.SplitN(v, " ", 4)
	if len(f) < 4 {
		return fmt.Errorf("want `name==version other SPEC reason`")
	}
	name, ver, _ := strings.Cut(f[0], "==")
	spec, err := pep440.ParseSpecifierSet(f[2])
	if err != nil {
		return err
	}
	pv := pep440.MustParse(ver)
	prev := opts.Conflicts
	opts.Conflicts = func(ctx context.Context, n string, v pep440.Version) []resolver.Conflict {
		var out []resolver.Conflict
		if prev != nil {
			out = prev(ctx, n, v)
		}
		if n == name && v.Equal(pv) {
			out = append(out, resolver.Conflict{Name: f[1], Set: spec.Set(), Reason: f[3]})
		}
		return out
	}
	return nil
}
