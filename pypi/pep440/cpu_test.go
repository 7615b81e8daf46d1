package pep440

import (
	"os"
	"runtime"
	"syscall"
	"testing"
	"time"
)

func threadCPU() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(1 /* RUSAGE_THREAD */, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func TestCPUTimes(t *testing.T) {
	if os.Getenv("PEP440_CPU") == "" {
		t.Skip()
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	measure := func(name string, n int, f func()) {
		f()
		start := threadCPU()
		for i := 0; i < n; i++ {
			f()
		}
		t.Logf("%-22s %10.1f ns/op (thread CPU time)", name, float64(threadCPU()-start)/float64(n))
	}
	i := 0
	measure("Parse (mixed)", 2000000, func() { Parse(benchInputs[i%len(benchInputs)]); i++ })
	measure("Parse 2.31.0", 2000000, func() { Parse("2.31.0") })
	vs := make([]Version, len(benchInputs))
	for i, s := range benchInputs {
		vs[i] = MustParse(s)
	}
	n := 0
	measure("Compare", 20000000, func() { n += vs[i%len(vs)].Compare(vs[(i+3)%len(vs)]); i++ })
	ss := MustParseSpecifierSet(">=1.2,<8.0,!=3.5.*,!=4.0.1")
	versions := thousandVersions()
	measure("Filter 1000", 2000, func() { ss.Filter(versions, nil, nil) })
	var pv []Version
	for _, s := range versions {
		pv = append(pv, MustParse(s))
	}
	measure("Contains x1000", 20000, func() {
		for _, v := range pv {
			ss.Contains(v)
		}
	})
	measure("ParseSpecifierSet", 200000, func() { ParseSpecifierSet(">=1.2,<8.0,!=3.5.*,!=4.0.1") })
	x := ss.Set()
	y := MustParseSpecifierSet(">=2.0,!=2.5,<9").Set().Union(MustParseSpecifierSet("==0.9.*").Set())
	measure("Set union+inter+compl", 200000, func() { x.Union(y).Intersect(x).Complement() })
	measure("Set.Contains", 5000000, func() { x.Contains(pv[i%1000]); i++ })
}
