package resolver_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"runtime"
	"strconv"
	"testing"

	"github.com/pylock/pylock/internal/corpus"
	"github.com/pylock/pylock/internal/memprovider"
	"github.com/pylock/pylock/internal/testenv"
	"github.com/pylock/pylock/resolver"
)

// scaleSpecs are the specifiers of generated requirements. Every one
// admits 4.0, so a solution always exists (every package at 4.0 works);
// all but the last admit 5.0, which is drawn for one tree edge in
// scaleRestrict, so the newest versions sometimes conflict. (Random edges
// never exclude 5.0: a conflict on an edge to a package decided long
// before sends PubGrub back over every decision since, so the step count
// would measure the graph's backjump distances rather than the solver.)
var scaleSpecs = []string{"", ">=1.0", "!=3.0", ">=2.0,!=1.0", "<=5.0", ">=1.0,<6", ">3", "!=2.*", ">=4.0", ">=3.0,!=3.5", "<5"}

const scaleRestrict = 50

// scaleSpec draws a specifier: on tree edges "<5" with probability
// 1/scaleRestrict, otherwise one of the others uniformly.
func scaleSpec(rng *rand.Rand, tree bool) string {
	if tree && rng.IntN(scaleRestrict) == 0 {
		return scaleSpecs[len(scaleSpecs)-1]
	}
	return scaleSpecs[rng.IntN(len(scaleSpecs)-1)]
}

// scaleIndex generates a project graph of n packages p0..p(n-1), each with
// versions 1.0 to 5.0: p(i) requires p(2i+1) and p(2i+2) (a binary tree)
// plus up to two random packages further down (random edges), with
// specifiers drawn from scaleSpecs. The seed is fixed: the graph is the
// same on every run.
func scaleIndex(n int) *corpus.Index {
	rng := rand.New(rand.NewPCG(13, uint64(n)))
	idx := &corpus.Index{Projects: make(map[string]*corpus.Project, n)}
	name := func(i int) string { return "p" + strconv.Itoa(i) }
	for i := range n {
		p := &corpus.Project{Name: name(i)}
		for v := 1; v <= 5; v++ {
			r := &corpus.Release{Version: strconv.Itoa(v) + ".0", Wheel: true, WheelTags: []string{"py3-none-any"}}
			for _, c := range []int{2*i + 1, 2*i + 2} {
				if c < n {
					r.Requires = append(r.Requires, name(c)+scaleSpec(rng, true))
				}
			}
			if i+1 < n {
				for range rng.IntN(3) {
					c := i + 1 + rng.IntN(n-i-1)
					r.Requires = append(r.Requires, name(c)+scaleSpec(rng, false))
				}
			}
			p.Releases = append(p.Releases, r)
		}
		idx.Projects[p.Name] = p
	}
	return idx
}

// BenchmarkScale resolves generated graphs (scaleIndex) of 100 to 50,000
// packages from the requirement "p0", with all metadata in memory (the
// provider is warmed by one resolution before timing). Besides time and
// allocations it reports alloc-MB/op (bytes allocated per resolution),
// heap-MB (live heap after the last resolution, result still held),
// cpu-ms/op (process CPU time per resolution, GC and lookahead included:
// steadier than wall time on a busy machine) and the solver's steps.
func BenchmarkScale(b *testing.B) {
	tg, opts := resolvelibEnv(b)
	for _, n := range []int{100, 1000, 10000, 50000} {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			p := memprovider.New(scaleIndex(n), tg, memprovider.Options{})
			root, err := parseReqs([]string{"p0"})
			if err != nil {
				b.Fatal(err)
			}
			var res *resolver.Result
			resolveOnce := func() {
				res, err = resolver.Resolve(context.Background(), p, root, opts)
				if err != nil {
					b.Fatal(err)
				}
			}
			resolveOnce()
			if len(res.Packages) != n {
				b.Fatalf("resolved %d packages, want %d", len(res.Packages), n)
			}
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			cpu0 := testenv.CPUTime()
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				resolveOnce()
			}
			b.StopTimer()
			testenv.ReportCPUPerOp(b, cpu0)
			runtime.ReadMemStats(&after)
			b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/float64(b.N)/1e6, "alloc-MB/op")
			runtime.GC()
			runtime.ReadMemStats(&after)
			b.ReportMetric(float64(after.HeapAlloc)/1e6, "heap-MB")
			b.ReportMetric(float64(res.Stats.Steps), "steps")
		})
	}
}
