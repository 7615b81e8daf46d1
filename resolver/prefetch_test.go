package resolver

import (
	"context"
	"fmt"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"

	"github.com/pylock/pylock/pypi/pep440"
	"github.com/pylock/pylock/pypi/pep508"
)

// hintProvider serves a small in-memory index (requirements separated by
// "|") and records every Provider.Prefetch call: "name" for a page,
// "name: v1 v2" for metadata.
type hintProvider struct {
	versions map[string][]string          // name -> versions, ascending
	deps     map[string]map[string]string // name -> version -> "req; req"

	mu    sync.Mutex
	hints []string // "name: v1 v2"
	meta  map[string]int
}

func (h *hintProvider) Candidates(_ context.Context, name string) ([]Candidate, error) {
	vs, ok := h.versions[name]
	if !ok {
		return nil, fmt.Errorf("%s: %w", name, ErrProjectNotFound)
	}
	var out []Candidate
	for _, v := range vs {
		out = append(out, Candidate{Version: pep440.MustParse(v), Dists: []Dist{{Filename: name + "-" + v + ".tar.gz"}}})
	}
	return out, nil
}

func (h *hintProvider) Metadata(_ context.Context, name string, v pep440.Version) (Metadata, error) {
	h.mu.Lock()
	h.meta[name+"=="+v.String()]++
	h.mu.Unlock()
	var md Metadata
	for r := range strings.SplitSeq(h.deps[name][v.String()], "|") {
		if r = strings.TrimSpace(r); r != "" {
			md.RequiresDist = append(md.RequiresDist, pep508.MustParseRequirement(r))
		}
	}
	return md, nil
}

func (h *hintProvider) Prefetch(name string, versions ...pep440.Version) {
	var b strings.Builder
	b.WriteString(name)
	if len(versions) > 0 {
		b.WriteString(":")
	}
	for _, v := range versions {
		b.WriteString(" " + v.String())
	}
	h.mu.Lock()
	h.hints = append(h.hints, b.String())
	h.mu.Unlock()
}

func (h *hintProvider) all() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.hints)
}

// wantHints fails t unless the hints sent so far are want, in any order.
func (h *hintProvider) wantHints(t *testing.T, want ...string) {
	t.Helper()
	got := h.all()
	slices.Sort(got)
	want = slices.Clone(want)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("hints:\n got %q\nwant %q", got, want)
	}
}

func (h *hintProvider) hinted(name string) []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []string
	for _, s := range h.hints {
		if strings.HasPrefix(s, name+":") {
			out = append(out, s)
		}
	}
	return out
}

func reqs(ss ...string) []pep508.Requirement {
	var out []pep508.Requirement
	for _, s := range ss {
		out = append(out, pep508.MustParseRequirement(s))
	}
	return out
}

func versionRange(lo, hi int) []string {
	var vs []string
	for i := lo; i <= hi; i++ {
		vs = append(vs, fmt.Sprint(i))
	}
	return vs
}

// A version walk: b==1 is decided first (c's only version requires it), and a 20 down to 2
// each require b>=2, so each fails as soon as it is tried. The hints run
// ahead of the walk in batches, sent only when the solver has caught up
// with the previous batch (a failure while the next version is already
// hinted adds nothing), each twice as large as the failures so far (at
// least 4, at most 16), and never repeat a version.
func TestHintBatchesFollowFailures(t *testing.T) {
	h := &hintProvider{
		versions: map[string][]string{"a": versionRange(1, 20), "b": {"1", "2"}, "c": {"1"}},
		deps:     map[string]map[string]string{"a": {}, "c": {"1": "b==1"}},
		meta:     map[string]int{},
	}
	for v := 2; v <= 20; v++ {
		h.deps["a"][fmt.Sprint(v)] = "b>=2"
	}
	// b==1 comes through c: a requirement of yours would make the walk
	// skip ahead too (TestLookaheadWalksPastVersionsThatClash).
	res, err := Resolve(context.Background(), h, reqs("a", "c"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Packages; len(got) != 3 || got[0].Version.String() != "1" || got[1].Version.String() != "1" {
		t.Fatalf("resolution = %+v, want a==1, b==1, c==1", got)
	}
	want := []string{
		"a: 20",                           // hintBest
		"a: 19 18 17 16 15",               // 20 failed: 1 failure, batch of 5
		"a: 14 13 12 11 10 9 8 7 6 5 4 3", // 19..16 failed quietly, 15 failed: 6 failures, 12
		"a: 2 1",                          // 14..4 quietly, 3: 16 failures, 16 (only 2 left)
	}
	got := h.hinted("a")
	if !slices.Equal(got, want) {
		t.Errorf("hints for a:\n got %q\nwant %q", got, want)
	}
}

// upcoming lists candidates in the order pick would try them.
func TestUpcomingFollowsPickOrder(t *testing.T) {
	mk := func(unusable ...string) *pkg {
		p := &pkg{name: "a"}
		p.base = p
		for _, v := range []string{"1", "2", "3", "4", "5"} {
			c := &cand{v: pep440.MustParse(v), usable: !slices.Contains(unusable, v)}
			p.cands = append(p.cands, c)
		}
		return p
	}
	tests := []struct {
		name     string
		opts     Options
		set      string
		unusable []string
		after    string // "" = from the start
		k        int
		want     string
	}{
		{"highest", Options{}, "", nil, "", 3, "5 4 3"},
		{"after", Options{}, "", nil, "4", 2, "3 2"},
		{"unusable skipped", Options{}, "", []string{"4", "3"}, "5", 2, "2 1"},
		{"set", Options{}, "<4", nil, "", 5, "3 2 1"},
		{"lowest", Options{Resolution: ResolutionLowest}, "", nil, "2", 2, "3 4"},
		{"lowest-direct, transitive", Options{Resolution: ResolutionLowestDirect}, "", nil, "", 2, "5 4"},
		{"preferred first", Options{Preferences: map[string]pep440.Version{"a": pep440.MustParse("2")}}, "", nil, "", 3, "2 5 4"},
		{"after preferred", Options{Preferences: map[string]pep440.Version{"a": pep440.MustParse("2")}}, "", nil, "2", 3, "5 4 3"},
		{"preferred unusable", Options{Preferences: map[string]pep440.Version{"a": pep440.MustParse("2")}}, "", []string{"2"}, "", 2, "5 4"},
		{"upgrade ignores preference", Options{Upgrade: true, Preferences: map[string]pep440.Version{"a": pep440.MustParse("2")}}, "", nil, "", 2, "5 4"},
		{"past the end", Options{}, "", nil, "1", 3, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newSolver(&hintProvider{meta: map[string]int{}}, nil, tc.opts)
			p := mk(tc.unusable...)
			set := pep440.Full()
			if tc.set != "" {
				set = pep440.MustParseSpecifierSet(tc.set).Set()
			}
			var after *cand
			for _, c := range p.cands {
				if c.v.String() == tc.after {
					after = c
				}
			}
			var got []string
			for _, c := range s.upcoming(p, set, after, tc.k) {
				got = append(got, c.v.String())
			}
			if g := strings.Join(got, " "); g != tc.want {
				t.Errorf("upcoming = %q, want %q", g, tc.want)
			}
		})
	}
}

// The background walk below top==1 hints the version each requirement
// would be chosen at (within its specifier, the constraints and the
// preferences) two levels deep, the pages of the requirements that apply,
// and nothing else.
func TestLookaheadHintsLikelyVersions(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := &hintProvider{
			versions: map[string][]string{
				"top": {"1"}, "mid": {"1", "2", "3"}, "leaf": {"1", "2", "3"}, "deep": {"1", "2"}, "pre": {"1", "2b1"},
			},
			deps: map[string]map[string]string{
				"top":  {"1": "mid<3 | pre"},
				"mid":  {"2": "leaf | gone ; sys_platform == 'nonexistent'", "1": "other"},
				"leaf": {"2": "deep", "3": "other"},
				"deep": {"2": "deeper"},
			},
			meta: map[string]int{},
		}
		walkOnce(h, nil, Options{Constraints: reqs("leaf<3"), Env: pep508.Env{"sys_platform": "linux"}}, "top", "", "1")
		h.wantHints(t, "leaf", "leaf: 2", "mid", "mid: 2", "pre", "pre: 1", "deep")
	})
}

// The walk below an extra's node follows the requirements that extra
// enables (pandas[test]'s test dependencies), and those of the extras a
// requirement requests, but not other extras'.
func TestLookaheadFollowsExtras(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := &hintProvider{
			versions: map[string][]string{"top": {"1"}, "tool": {"1", "2"}, "plug": {"1"}, "doc": {"1"}, "deep": {"1"}},
			deps: map[string]map[string]string{
				"top":  {"1": "tool[cli] ; extra == 'test' | doc ; extra == 'docs'"},
				"tool": {"2": "plug ; extra == 'cli' | deep ; extra == 'other'"},
			},
			meta: map[string]int{},
		}
		walkOnce(h, nil, Options{Env: pep508.Env{"sys_platform": "linux"}}, "top", "test", "1")
		h.wantHints(t, "tool", "tool: 2", "plug", "plug: 1")
	})
}

// A resolution that never meets a conflict hints no next alternative, and
// no hint at all goes out after its last decision.
func TestNoAlternativeHintsWithoutConflicts(t *testing.T) {
	h := &hintProvider{
		versions: map[string][]string{"a": {"1", "2", "3"}, "b": {"1", "2"}, "c": {"1", "2"}},
		deps:     map[string]map[string]string{"a": {"3": "b"}, "b": {"2": "c"}},
		meta:     map[string]int{},
	}
	var log []string
	opts := Options{Progress: func(e Event) {
		if e.Kind == "decide" {
			log = append(log, "decide "+e.Name)
		}
	}}
	rec := &recordingProvider{hintProvider: h, log: &log}
	res, err := Resolve(context.Background(), rec, reqs("a"), opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Packages) != 3 {
		t.Fatalf("got %+v", res.Packages)
	}
	var metaHints []string
	for _, l := range h.all() {
		if strings.Contains(l, ":") {
			metaHints = append(metaHints, "hint "+l)
		}
	}
	slices.Sort(metaHints)
	metaHints = slices.Compact(metaHints)
	last := -1
	for i, l := range log {
		if strings.HasPrefix(l, "decide") {
			last = i
		}
	}
	want := []string{"hint a: 3", "hint b: 2", "hint c: 2"} // the walk's included
	if !slices.Equal(metaHints, want) {
		t.Errorf("metadata hints %q, want only the chosen versions %q", metaHints, want)
	}
	if last != len(log)-1 {
		t.Errorf("hints after the last decision: %q", log[last+1:])
	}
}

// recordingProvider logs the hints the decision loop sends, in order with
// its decisions (the background walk's hints, from its own goroutines, go
// to hintProvider only).
type recordingProvider struct {
	*hintProvider
	log *[]string
}

func (r *recordingProvider) Prefetch(name string, versions ...pep440.Version) {
	if strings.Contains(string(debug.Stack()), "resolver.(*solver).walk") {
		r.hintProvider.Prefetch(name, versions...)
		return
	}
	l := "hint " + name
	if len(versions) > 0 {
		l += ":"
		for _, v := range versions {
			l += " " + v.String()
		}
	}
	*r.log = append(*r.log, l)
	r.hintProvider.Prefetch(name, versions...)
}

// Only versions the solver may use are hinted: venv 20 is decided and
// then fails because distlib has no version, so neither its other
// requirements (appdirs, filelock) nor anything below them is hinted, by
// the decision loop (which holds its hints while a package without usable
// versions is next) or by the background walk (which waits for every page
// of venv 20's requirements first); the walk guesses six within your own
// six<1.12; and no decided version's next alternative (six 1.10, venv 16
// before it is needed) is hinted.
func TestHintsOnlyUsableVersions(t *testing.T) {
	for range 20 { // the walk runs beside the decision loop: every interleaving must hold
		h := &hintProvider{
			versions: map[string][]string{
				"six": {"1.10", "1.11", "1.14"}, "venv": {"16", "20"}, "distlib": {}, "appdirs": {"1"}, "filelock": {"1"},
			},
			deps: map[string]map[string]string{
				"venv": {"20": "distlib | appdirs | filelock | six>=1.9"},
			},
			meta: map[string]int{},
		}
		res, err := Resolve(context.Background(), h, reqs("six<1.12", "venv"), Options{})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, p := range res.Packages {
			got = append(got, p.Name+"=="+p.Version.String())
		}
		if strings.Join(got, " ") != "six==1.11 venv==16" {
			t.Fatalf("resolution %q, want six==1.11 venv==16", got)
		}
		var metaHints []string
		for _, l := range h.all() {
			if strings.Contains(l, ":") {
				metaHints = append(metaHints, l)
			}
		}
		slices.Sort(metaHints)
		metaHints = slices.Compact(metaHints)
		if want := []string{"six: 1.11", "venv: 20"}; !slices.Equal(metaHints, want) {
			t.Fatalf("metadata hints %q, want %q", metaHints, want)
		}
	}
}

// The walk guesses within your own requirements of a project (six<1.12
// beside top's six>=1.9: 1.11, not 1.14) and hints nothing below a version
// one of whose requirements has no usable version (mid 2 needs gone, which
// has none: neither leaf's metadata nor anything below it).
func TestLookaheadGuessesWithinYourRequirements(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := &hintProvider{
			versions: map[string][]string{
				"top": {"1"}, "six": {"1.10", "1.11", "1.14"},
				"mid": {"1", "2"}, "gone": {}, "leaf": {"1"}, "deep": {"1"},
			},
			deps: map[string]map[string]string{
				"top":  {"1": "six>=1.9 | mid"},
				"mid":  {"2": "leaf | gone"},
				"leaf": {"1": "deep"},
			},
			meta: map[string]int{},
		}
		walkOnce(h, reqs("six<1.12", "top"), Options{}, "top", "", "1")
		h.wantHints(t, "six", "six: 1.11", "mid", "mid: 2", "leaf", "gone")
	})
}

// A hinted version whose requirement contradicts yours (t 6 and 5 need
// c<2, you require c==2) is rejected by the solver as soon as it is
// tried: the walk hints the versions pick would try next instead, in a
// batch of 5, reads them in order and walks the first that does not
// clash (t 4: its requirement d's page and likely version), without
// hinting anything below the clashing ones.
func TestLookaheadWalksPastVersionsThatClash(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := &hintProvider{
			versions: map[string][]string{"t": versionRange(1, 6), "c": {"1", "2"}, "d": {"1"}, "e": {"1"}},
			deps: map[string]map[string]string{
				"t": {"6": "c<2 | e", "5": "c<2 | e", "4": "c>=2 | d"},
			},
			meta: map[string]int{},
		}
		walkOnce(h, reqs("c==2", "t"), Options{}, "t", "", "6")
		h.wantHints(t, "t: 5 4 3 2 1", "c", "c: 2", "d", "d: 1")
	})
}

// A walk after a backtrack: a 6 is decided, then its requirement x turns
// out to have no version, so the solver backtracks and tries a 5, which
// was never hinted. The versions after 5 are hinted before a 5's metadata
// is read, so they travel with it (one round trip instead of two: without
// the walk hint they would be hinted only once 5 had failed); 5 then fails
// at once while 4 is already hinted, so no further batch is sent, and 2 is
// chosen from the batch.
func TestHintWalkAfterBacktrack(t *testing.T) {
	h := &orderedHints{hintProvider{
		versions: map[string][]string{"a": versionRange(1, 6), "x": {}, "b": {"1"}},
		deps: map[string]map[string]string{
			"a": {"6": "x", "5": "x", "4": "x", "3": "x"},
		},
		meta: map[string]int{},
	}}
	res, err := Resolve(context.Background(), h, reqs("a", "b"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Packages; len(got) != 2 || got[0].Name != "a" || got[0].Version.String() != "2" {
		t.Fatalf("resolution = %+v, want a==2, b==1", got)
	}
	if got, want := h.hinted("a"), []string{"a: 6", "a: 4 3 2 1"}; !slices.Equal(got, want) {
		t.Errorf("hints for a:\n got %q\nwant %q", got, want)
	}
	all := h.all()
	if hint, read := slices.Index(all, "a: 4 3 2 1"), slices.Index(all, "read a==5"); hint < 0 || read < 0 || hint > read {
		t.Errorf("a 4..1 hinted at %d, a 5 read at %d, want the hint first: %q", hint, read, all)
	}
	if h.meta["a==1"] != 0 {
		t.Errorf("metadata of a 1 read although a 2 works")
	}
}

// orderedHints logs metadata reads ("read a==5") in the hint log, so a
// test can tell whether a hint came before a read.
type orderedHints struct{ hintProvider }

func (h *orderedHints) Metadata(ctx context.Context, name string, v pep440.Version) (Metadata, error) {
	h.mu.Lock()
	h.hints = append(h.hints, "read "+name+"=="+v.String())
	h.mu.Unlock()
	return h.hintProvider.Metadata(ctx, name, v)
}

// A decided version's requirement kills the walked versions it excludes:
// the walk guessed p 2 below top 1; once a decision requires p<2, p 2 is
// dead and nothing more is hinted below it, while a version inside the
// requirement stays alive.
func TestWalkDecidedExcludesGuesses(t *testing.T) {
	w := &walked{}
	w.noteWalked("p", pep440.MustParse("2"))
	w.noteWalked("p", pep440.MustParse("1.5"))
	chain := []string{"top==1", "p==2"}
	if w.doomedBelow(chain) {
		t.Fatal("p 2 doomed before any decision")
	}
	s := &solver{walk: w}
	lt2 := pep440.MustParseSpecifierSet("<2").Set()
	dl := &depList{deps: []dep{{pkg: &pkg{name: "p"}, set: lt2, spec: "<2"}}}
	s.walkDecided(dl)
	if !w.doomedBelow(chain) {
		t.Error("p 2 still walked after a decision requiring p<2")
	}
	if w.doomedBelow([]string{"top==1", "p==1.5"}) {
		t.Error("p 1.5 killed although p<2 allows it")
	}
	// A requirement without a specifier excludes nothing.
	w2 := &walked{}
	w2.noteWalked("q", pep440.MustParse("3"))
	(&solver{walk: w2}).walkDecided(&depList{deps: []dep{{pkg: &pkg{name: "q"}, set: pep440.Full()}}})
	if w2.doomedBelow([]string{"q==3"}) {
		t.Error("q 3 killed by a requirement of any version")
	}
}

// walkOnce runs the background walk below name[extra]==v for a solver
// over p with your requirements roots and opts, and returns once every
// goroutine of it has finished (call it inside a synctest bubble).
func walkOnce(p Provider, roots []pep508.Requirement, opts Options, name, extra, v string) {
	s := newSolver(p, roots, opts)
	ctx, cancel := context.WithCancel(context.Background())
	s.lookahead(ctx, name, extra, pep440.MustParse(v), pep440.Full())
	synctest.Wait()
	s.stopLookahead(cancel)
}

// gatedProvider says when the resolution first needed the network
// (NetworkSignaller).
type gatedProvider struct {
	hintProvider
	gate chan struct{}
}

func (g *gatedProvider) NetworkNeeded() <-chan struct{} { return g.gate }

// While the provider has not needed the network (a warm run: every answer
// comes from the cache) no walk runs and nothing is hinted from below a
// hinted version; once it has, the queued walks run as they would have.
// Walks still queued when the resolution ends are dropped.
func TestLookaheadWaitsForTheNetwork(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		newProvider := func() *gatedProvider {
			return &gatedProvider{hintProvider: hintProvider{
				versions: map[string][]string{"top": {"1"}, "other": {"1"}, "mid": {"1", "2"}, "leaf": {"1"}},
				deps:     map[string]map[string]string{"top": {"1": "mid"}, "other": {"1": "leaf"}, "mid": {"2": "leaf"}},
				meta:     map[string]int{},
			}, gate: make(chan struct{})}
		}
		h := newProvider()
		s := newSolver(h, nil, Options{})
		ctx, cancel := context.WithCancel(t.Context())
		s.lookahead(ctx, "top", "", pep440.MustParse("1"), pep440.Full())
		s.lookahead(ctx, "other", "", pep440.MustParse("1"), pep440.Full())
		synctest.Wait()
		if got := h.all(); len(got) != 0 || len(h.meta) != 0 {
			t.Fatalf("before the network was needed: hints %q, metadata read %v, want none", got, h.meta)
		}
		close(h.gate)
		synctest.Wait()
		s.stopLookahead(cancel)
		h.wantHints(t, "mid", "mid: 2", "leaf", "leaf: 1")

		// Never needed: the queued walks are dropped when the run ends.
		h = newProvider()
		walkOnce(h, nil, Options{}, "top", "", "1")
		if got := h.all(); len(got) != 0 || len(h.meta) != 0 {
			t.Fatalf("after the run: hints %q, metadata read %v, want none", got, h.meta)
		}

		// No signal (a nil channel): the walk runs at once.
		h = newProvider()
		h.gate = nil
		walkOnce(h, nil, Options{}, "top", "", "1")
		h.wantHints(t, "mid", "mid: 2", "leaf", "leaf: 1")
	})
}

// blockingPages is a hintProvider whose pages of the projects in block wait
// until their channel is closed.
type blockingPages struct {
	hintProvider
	block map[string]chan struct{}
}

func (b *blockingPages) Candidates(ctx context.Context, name string) ([]Candidate, error) {
	if ch, ok := b.block[name]; ok {
		select {
		case <-ch:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	return b.hintProvider.Candidates(ctx, name)
}

// A requirement two walks share is walked by the one that claimed it
// first; when that walk dies before the other's pages are in (the solver
// rejected its version), the other walks it instead of leaving it to a
// walk that will hint nothing more (attrs, required alike by pytest 6.1.2
// and pytest 3.10.1 in cheroot).
func TestLookaheadTakesOverClaimsOfDeadWalks(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := &blockingPages{hintProvider: hintProvider{
			versions: map[string][]string{"a": {"1"}, "b": {"1"}, "x": {"1"}, "slowa": {"1"}, "slowb": {"1"}},
			deps:     map[string]map[string]string{"a": {"1": "x | slowa"}, "b": {"1": "x | slowb"}},
			meta:     map[string]int{},
		}, block: map[string]chan struct{}{"slowa": make(chan struct{}), "slowb": make(chan struct{})}}
		s := newSolver(h, nil, Options{})
		ctx, cancel := context.WithCancel(t.Context())
		s.lookahead(ctx, "a", "", pep440.MustParse("1"), pep440.Full())
		synctest.Wait() // a's walk claimed x and waits for slowa's page
		s.lookahead(ctx, "b", "", pep440.MustParse("1"), pep440.Full())
		synctest.Wait() // b's walk waits for slowb's page
		s.walkRejected("a", pep440.MustParse("1"))
		close(h.block["slowb"])
		synctest.Wait()
		if got := h.hinted("x"); !slices.Contains(got, "x: 1") {
			t.Errorf("x's metadata not hinted after the walk that claimed it died: hints %q", h.all())
		}
		close(h.block["slowa"])
		synctest.Wait()
		s.stopLookahead(cancel)
		if got := h.hinted("slowa"); len(got) != 0 {
			t.Errorf("hinted below the dead a 1: %q", got)
		}
	})
}

// gatedMeta holds back the metadata of one version until released.
type gatedMeta struct {
	hintProvider
	held    string // "name==version"
	release chan struct{}
}

func (g *gatedMeta) Metadata(ctx context.Context, name string, v pep440.Version) (Metadata, error) {
	if name+"=="+v.String() == g.held {
		<-g.release
	}
	return g.hintProvider.Metadata(ctx, name, v)
}

// Your requirement t settles, in the walk, on the first version that does
// not clash with yours (t 6 and 5 need c<2 against your c==2; t 4 needs
// p<2): the walk takes that as it takes a decision, so the version it
// guessed for p from another of your requirements (m 1's p>=2: p 3) is
// dead, and p 3's requirement x, read after that, is not hinted (cheroot:
// pytest-testmon 0.9.13's pytest<4 against pytest-mock 3.3.1's pytest 6.1.2,
// whose toml and iniconfig pages went out for nothing).
func TestLookaheadSettledAlternativeExcludesGuesses(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := &gatedMeta{hintProvider: hintProvider{
			versions: map[string][]string{"t": versionRange(1, 6), "c": {"1", "2"}, "m": {"1"}, "p": {"1", "3"}, "x": {"1"}},
			deps: map[string]map[string]string{
				"t": {"6": "c<2", "5": "c<2", "4": "p<2"},
				"m": {"1": "p>=2"},
				"p": {"3": "x"},
			},
			meta: map[string]int{},
		}, held: "p==3", release: make(chan struct{})}
		s := newSolver(h, reqs("c==2", "t", "m"), Options{})
		ctx, cancel := context.WithCancel(context.Background())
		s.lookahead(ctx, "m", "", pep440.MustParse("1"), pep440.Full())
		synctest.Wait() // p 3 walked, its metadata held
		s.lookahead(ctx, "t", "", pep440.MustParse("6"), pep440.Full())
		synctest.Wait() // t settles on 4
		close(h.release)
		synctest.Wait()
		s.stopLookahead(cancel)
		for _, hint := range h.all() {
			if hint == "x" {
				t.Errorf("x, below p 3, was hinted after t 4 (p<2) settled: %q", h.all())
			}
		}
		if got := h.hinted("t"); !slices.Equal(got, []string{"t: 5 4 3 2 1"}) {
			t.Errorf("t hints %q", got)
		}
	})
}

// A version another of your requirements is walked at that clashes with
// what the settled one requires (m 2's p>=2 against t 4's p<2: pytest-mock
// 3.3.1's pytest>=5 against pytest-testmon 0.9.13's pytest<4) is passed
// over as one that clashes with yours is: m's next version is hinted and
// walked (y's page) before the solver tries m, whichever of the two walks
// gets its metadata first.
func TestLookaheadSettledAlternativePassesOverClashes(t *testing.T) {
	for _, settleFirst := range []bool{false, true} {
		t.Run(fmt.Sprintf("settleFirst=%v", settleFirst), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				h := &hintProvider{
					versions: map[string][]string{"t": versionRange(1, 6), "c": {"1", "2"}, "m": {"1", "2"}, "p": {"1", "3"}, "y": {"1"}},
					deps: map[string]map[string]string{
						"t": {"6": "c<2", "5": "c<2", "4": "p<2"},
						"m": {"2": "p>=2", "1": "y"},
					},
					meta: map[string]int{},
				}
				s := newSolver(h, reqs("c==2", "t", "m"), Options{})
				ctx, cancel := context.WithCancel(context.Background())
				walk := []string{"m", "t"}
				if settleFirst {
					walk = []string{"t", "m"}
				}
				for _, name := range walk {
					v := map[string]string{"m": "2", "t": "6"}[name]
					s.lookahead(ctx, name, "", pep440.MustParse(v), pep440.Full())
					synctest.Wait()
				}
				s.stopLookahead(cancel)
				if got := h.hinted("m"); !slices.Equal(got, []string{"m: 1"}) {
					t.Errorf("m hints %q, want m 1 (m 2 clashes with t 4)", got)
				}
				if !slices.Contains(h.all(), "y") {
					t.Errorf("y, required by m 1, not hinted: %q", h.all())
				}
			})
		})
	}
}

// A pending project whose term comes to exclude the version hinted for it,
// before the solver first tries it, has the version it will now be tried
// at hinted at once (numpy, hinted at 2.1.3, once opencv-python's ABI
// guard keeps it below 2), not read unhinted when its turn comes. The
// narrowing here comes from a Conflicts hook, which the background walk
// does not see.
func TestHintBestFollowsNarrowedTerm(t *testing.T) {
	h := &orderedHints{hintProvider{
		versions: map[string][]string{"a": {"1"}, "n": {"1", "2", "3"}},
		deps:     map[string]map[string]string{},
		meta:     map[string]int{},
	}}
	opts := Options{Conflicts: func(_ context.Context, name string, v pep440.Version) []Conflict {
		if name == "a" {
			return []Conflict{{Name: "n", Set: pep508.MustParseRequirement("n>=3").Specifier.Set(), Reason: "guard"}}
		}
		return nil
	}}
	res, err := Resolve(context.Background(), h, reqs("a", "n"), opts)
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Packages; len(got) != 2 || got[1].Name != "n" || got[1].Version.String() != "2" {
		t.Fatalf("resolution = %+v, want a 1, n 2", got)
	}
	log := h.all()
	hint, read := slices.Index(log, "n: 2"), slices.Index(log, "read n==2")
	if hint < 0 || read < 0 || hint > read {
		t.Errorf("n 2 hinted at %d, read at %d: want hinted before it is read\n%q", hint, read, log)
	}
	if got := h.hinted("n"); !slices.Equal(got, []string{"n: 3", "n: 2"}) {
		t.Errorf("hints for n %q, want n 3 then n 2", got)
	}
}

// Your requirements name a project with different extras (same-package-
// extras: a[x,z]>=1.1, a[x,y]>=1.0,<1.3, a>=1.2). Each extra node is
// hinted at the version its project's term allows (1.2, not a[z]'s own
// newest 1.3), and once a is decided the walk goes below it for the extra
// nodes still pending: z's page and z 1.2 are hinted while the solver is
// still reading x's metadata, not a round trip after it decides a[z].
func TestExtrasWalkBelowTheDecidedVersion(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := &gatedMeta{hintProvider: hintProvider{
			versions: map[string][]string{"a": {"1.1", "1.2", "1.3"}, "x": {"1.1", "1.2", "1.3"}, "y": {"1.1", "1.2", "1.3"}, "z": {"1.1", "1.2", "1.3"}},
			deps:     map[string]map[string]string{"a": {}},
			meta:     map[string]int{},
		}, held: "x==1.2", release: make(chan struct{})}
		for _, v := range []string{"1.1", "1.2", "1.3"} {
			h.deps["a"][v] = fmt.Sprintf("x==%[1]s; extra == 'x' | y==%[1]s; extra == 'y' | z==%[1]s; extra == 'z'", v)
		}
		done := make(chan error, 1)
		go func() {
			_, err := Resolve(context.Background(), h, reqs("a[x,z]>=1.1", "a[x,y]>=1.0,<1.3", "a>=1.2"), Options{})
			done <- err
		}()
		synctest.Wait() // the solver waits for x 1.2's metadata
		hints := h.all()
		if !slices.Contains(hints, "z") || !slices.Contains(hints, "z: 1.2") {
			t.Errorf("z's page and z 1.2 not hinted while x 1.2 is read: %q", hints)
		}
		close(h.release)
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		for _, hint := range h.hinted("a") {
			if strings.Contains(hint, "1.3") {
				t.Errorf("a hinted at 1.3, which a>=1.2,<1.3 excludes: %q", h.hinted("a"))
			}
		}
	})
}

// Two pending nodes walked at versions that require one project within
// disjoint sets (backjump-test-1: pandas 1.4.0's python-dateutil>=2.8.1
// against sat-stac 0.1.1's python-dateutil~=2.7.5) cannot both be used:
// the walk hints the version after each at once (pandas 1.3.5, sat-stac
// 0.1.0), which the solver reads a round trip or two later once it finds
// the conflict. Nodes that agree hint nothing more.
func TestLookaheadHintsAfterClashingWalks(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := &hintProvider{
			versions: map[string][]string{"a": {"1", "2"}, "b": {"1", "2"}, "c": {"1", "2"}, "d": {"1", "2", "3"}},
			deps: map[string]map[string]string{
				"a": {"2": "d>=2", "1": "d<3"},
				"b": {"2": "d<2", "1": "d<2"},
				"c": {"2": "d>=1", "1": "d>=1"},
			},
			meta: map[string]int{},
		}
		s := newSolver(h, reqs("a", "b", "c"), Options{})
		ctx, cancel := context.WithCancel(context.Background())
		for _, name := range []string{"a", "c", "b"} {
			s.lookahead(ctx, name, "", pep440.MustParse("2"), pep440.Full())
			synctest.Wait()
		}
		s.stopLookahead(cancel)
		for name, want := range map[string][]string{"a": {"a: 1"}, "b": {"b: 1"}, "c": nil} {
			if got := h.hinted(name); !slices.Equal(got, want) {
				t.Errorf("hints for %s %q, want %q", name, got, want)
			}
		}
	})
}

// Which walk reaches a version first depends on timing; the levels walked
// below it must not. y's walk reaches p at its last level (y 1 → z 1 → p
// 1: p's requirements' pages only) and claims p's requirement q; x's walk
// reaches p a level higher (x 1 → p 1) and walks on below it: q 1's
// metadata and r's page are hinted (with-without-extras at 100 ms lost a
// round trip in some runs to pyparsing, claimed by a walk that ended at
// packaging).
func TestLookaheadDeeperWalkTakesOver(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := &hintProvider{
			versions: map[string][]string{"x": {"1"}, "y": {"1"}, "z": {"1"}, "p": {"1"}, "q": {"1"}, "r": {"1"}},
			deps: map[string]map[string]string{
				"x": {"1": "p"}, "y": {"1": "z"}, "z": {"1": "p"}, "p": {"1": "q"}, "q": {"1": "r"},
			},
			meta: map[string]int{},
		}
		s := newSolver(h, reqs("x", "y"), Options{})
		ctx, cancel := context.WithCancel(context.Background())
		s.lookahead(ctx, "y", "", pep440.MustParse("1"), pep440.Full())
		synctest.Wait()
		if hints := h.all(); slices.Contains(hints, "q: 1") {
			t.Fatalf("y's walk hinted q 1, three levels down: %q", hints)
		}
		s.lookahead(ctx, "x", "", pep440.MustParse("1"), pep440.Full())
		synctest.Wait()
		s.stopLookahead(cancel)
		hints := h.all()
		if !slices.Contains(hints, "q: 1") || !slices.Contains(hints, "r") {
			t.Errorf("x's walk, two levels above q, did not hint q 1 and r's page: %q", hints)
		}
	})
}
