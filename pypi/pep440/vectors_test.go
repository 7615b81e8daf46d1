package pep440

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/pylock/pylock/internal/testenv"
)

type versionCase struct {
	Input        string        `json:"input"`
	Valid        bool          `json:"valid"`
	Normalized   string        `json:"normalized"`
	Canonical    string        `json:"canonical"`
	Public       string        `json:"public"`
	BaseVersion  string        `json:"base_version"`
	Release      []json.Number `json:"release"`
	Epoch        json.Number   `json:"epoch"`
	Pre          []any         `json:"pre"` // ["a"|"b"|"rc", n] or null
	Post         *json.Number  `json:"post"`
	Dev          *json.Number  `json:"dev"`
	Local        *string       `json:"local"`
	IsPrerelease bool          `json:"is_prerelease"`
	IsPost       bool          `json:"is_postrelease"`
	IsDev        bool          `json:"is_devrelease"`
	Rank         int           `json:"rank"`
}

type versionVectors struct {
	Cases           []versionCase `json:"cases"`
	Ordering        []string      `json:"ordering"`
	OrderingClasses [][]string    `json:"ordering_classes"`
}

type specCase struct {
	Specifier      string `json:"specifier"`
	Valid          bool   `json:"valid"`
	Version        string `json:"version"`
	Prereleases    *bool  `json:"prereleases"`
	SetPrereleases *bool  `json:"set_prereleases"`
	Contains       bool   `json:"contains"`
}

type specParse struct {
	Specifier   string      `json:"specifier"`
	Valid       bool        `json:"valid"`
	Normalized  string      `json:"normalized"`
	Specs       [][2]string `json:"specs"`
	Prereleases *bool       `json:"prereleases"`
}

type specFilter struct {
	Specifier      string   `json:"specifier"`
	Versions       []string `json:"versions"`
	Prereleases    *bool    `json:"prereleases"`
	SetPrereleases *bool    `json:"set_prereleases"`
	Result         []string `json:"result"`
}

type specVectors struct {
	Cases  []specCase   `json:"cases"`
	Parse  []specParse  `json:"parse"`
	Filter []specFilter `json:"filter"`
}

func loadJSON(t testing.TB, name string, into any) {
	t.Helper()
	f, err := os.Open(filepath.Join(testenv.VectorsDir(t), name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	dec := json.NewDecoder(f)
	dec.UseNumber()
	if err := dec.Decode(into); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
}

// tally counts conformance checks and prints the summary line CI greps for.
type tally struct{ pass, fail int }

func (c *tally) check(t *testing.T, problems []string, what string) {
	t.Helper()
	if len(problems) == 0 {
		c.pass++
		return
	}
	c.fail++
	t.Errorf("%s: %s", what, strings.Join(problems, "; "))
}

func numText(n *json.Number) string {
	if n == nil {
		return ""
	}
	return n.String()
}

func checkVersionCase(c versionCase, v Version, err error) []string {
	var bad []string
	if !c.Valid {
		if err == nil {
			bad = append(bad, fmt.Sprintf("parsed as %q, want error", v))
		}
		return bad
	}
	if err != nil {
		return []string{err.Error()}
	}
	want := func(field, got, exp string) {
		if got != exp {
			bad = append(bad, fmt.Sprintf("%s = %q, want %q", field, got, exp))
		}
	}
	want("String", v.String(), c.Normalized)
	want("Canonical", v.Canonical(), c.Canonical)
	want("Public", v.Public(), c.Public)
	want("BaseVersion", v.BaseVersion(), c.BaseVersion)
	p := v.Parts()
	var rel []string
	for _, n := range c.Release {
		rel = append(rel, n.String())
	}
	want("Release", strings.Join(p.Release, "."), strings.Join(rel, "."))
	want("Epoch", p.Epoch, c.Epoch.String())
	wantPre := ""
	if c.Pre != nil {
		wantPre = fmt.Sprintf("%v %v", c.Pre[0], c.Pre[1])
	}
	gotPre := ""
	if p.PreLabel != "" {
		gotPre = p.PreLabel + " " + p.Pre
	}
	want("Pre", gotPre, wantPre)
	want("Post", p.Post, numText(c.Post))
	want("Dev", p.Dev, numText(c.Dev))
	wantLocal := ""
	if c.Local != nil {
		wantLocal = *c.Local
	}
	want("Local", v.Local(), wantLocal)
	want("Local(parts)", p.Local, wantLocal)
	want("IsPrerelease", fmt.Sprint(v.IsPrerelease()), fmt.Sprint(c.IsPrerelease))
	want("IsPostrelease", fmt.Sprint(v.IsPostrelease()), fmt.Sprint(c.IsPost))
	want("IsDevrelease", fmt.Sprint(v.IsDevrelease()), fmt.Sprint(c.IsDev))
	return bad
}

func sign(x int) int {
	switch {
	case x < 0:
		return -1
	case x > 0:
		return 1
	}
	return 0
}

func TestVersionVectors(t *testing.T) {
	var doc versionVectors
	loadJSON(t, "versions.json", &doc)
	var c tally
	type valid struct {
		c versionCase
		v Version
	}
	var vs []valid
	byInput := map[string]Version{}
	for _, vc := range doc.Cases {
		v, err := Parse(vc.Input)
		bad := checkVersionCase(vc, v, err)
		if vc.Valid && err == nil {
			vs = append(vs, valid{vc, v})
			byInput[vc.Input] = v
		}
		c.check(t, bad, fmt.Sprintf("Parse(%q)", vc.Input))
	}
	// The O(n²) rank check: Compare(a, b) == sign(a.rank - b.rank).
	for _, a := range vs {
		var bad []string
		for _, b := range vs {
			if got, exp := a.v.Compare(b.v), sign(a.c.Rank-b.c.Rank); got != exp {
				bad = append(bad, fmt.Sprintf("Compare(%q, %q) = %d, want %d", a.c.Input, b.c.Input, got, exp))
			}
		}
		c.check(t, bad, fmt.Sprintf("ranks of %q", a.c.Input))
	}
	// ordering: every valid input sorted ascending (stable).
	var ord []string
	for _, a := range vs {
		ord = append(ord, a.c.Input)
	}
	sort.SliceStable(ord, func(i, j int) bool { return byInput[ord[i]].Less(byInput[ord[j]]) })
	var bad []string
	if strings.Join(ord, "\x00") != strings.Join(doc.Ordering, "\x00") {
		bad = append(bad, "sorted order differs from ordering")
	}
	c.check(t, bad, "ordering")
	for i, cls := range doc.OrderingClasses {
		var bad []string
		for _, in := range cls {
			if !byInput[in].Equal(byInput[cls[0]]) {
				bad = append(bad, fmt.Sprintf("%q != %q", in, cls[0]))
			}
		}
		if i > 0 && !byInput[doc.OrderingClasses[i-1][0]].Less(byInput[cls[0]]) {
			bad = append(bad, "class not above the previous one")
		}
		c.check(t, bad, fmt.Sprintf("ordering class %q", cls))
	}
	fmt.Printf("vectors versions.json: %d passed, %d failed\n", c.pass, c.fail)
}

func showBool(b *bool) string {
	if b == nil {
		return "None"
	}
	return fmt.Sprint(*b)
}

func TestSpecifierVectors(t *testing.T) {
	var doc specVectors
	loadJSON(t, "specifiers.json", &doc)
	var c tally
	for _, sc := range doc.Cases {
		what := fmt.Sprintf("SpecifierSet(%q, prereleases=%s).contains(%q, prereleases=%s)",
			sc.Specifier, showBool(sc.SetPrereleases), sc.Version, showBool(sc.Prereleases))
		ss, err := ParseSpecifierSet(sc.Specifier)
		var bad []string
		switch {
		case !sc.Valid && err == nil:
			bad = append(bad, fmt.Sprintf("parsed as %q, want error", ss))
		case sc.Valid && err != nil:
			bad = append(bad, err.Error())
		case sc.Valid:
			if got := ss.ContainsPolicy(sc.Version, sc.Prereleases, sc.SetPrereleases); got != sc.Contains {
				bad = append(bad, fmt.Sprintf("got %v, want %v", got, sc.Contains))
			}
		}
		c.check(t, bad, what)
	}
	for _, sp := range doc.Parse {
		ss, err := ParseSpecifierSet(sp.Specifier)
		var bad []string
		switch {
		case !sp.Valid && err == nil:
			bad = append(bad, fmt.Sprintf("parsed as %q, want error", ss))
		case sp.Valid && err != nil:
			bad = append(bad, err.Error())
		case sp.Valid:
			if got := ss.String(); got != sp.Normalized {
				bad = append(bad, fmt.Sprintf("String() = %q, want %q", got, sp.Normalized))
			}
			// packaging sorts and de-duplicates its clause list in place
			// when str() runs, so the vectors' specs are in that order.
			var specs [][2]string
			for _, s := range ss.CanonicalSpecifiers() {
				specs = append(specs, [2]string{s.Op, s.Version})
			}
			if fmt.Sprint(specs) != fmt.Sprint(sp.Specs) {
				bad = append(bad, fmt.Sprintf("specs = %q, want %q", specs, sp.Specs))
			}
			if got := showBool(ss.Prereleases()); got != showBool(sp.Prereleases) {
				bad = append(bad, fmt.Sprintf("prereleases = %s, want %s", got, showBool(sp.Prereleases)))
			}
		}
		c.check(t, bad, fmt.Sprintf("parse %q", sp.Specifier))
	}
	for _, f := range doc.Filter {
		ss, err := ParseSpecifierSet(f.Specifier)
		var bad []string
		if err != nil {
			bad = append(bad, err.Error())
		} else if got := ss.Filter(f.Versions, f.Prereleases, f.SetPrereleases); fmt.Sprintf("%q", got) != fmt.Sprintf("%q", f.Result) {
			bad = append(bad, fmt.Sprintf("got %q, want %q", got, f.Result))
		}
		c.check(t, bad, fmt.Sprintf("SpecifierSet(%q, prereleases=%s).filter(%q, prereleases=%s)",
			f.Specifier, showBool(f.SetPrereleases), f.Versions, showBool(f.Prereleases)))
	}
	fmt.Printf("vectors specifiers.json: %d passed, %d failed\n", c.pass, c.fail)
}
