package pylock

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/pylock/pylock/lockfile"
	pyinputs "github.com/pylock/pylock/pypi/inputs"
	"github.com/pylock/pylock/pypi/reqfile"
)

// The seed stack against the bundled index: the guard (on by default)
// keeps numpy at 1.26.4 for opencv-python 4.8.1.78 and records why;
// NoABIGuard locks numpy 2.1.3 and warns with audit's ways out.
func TestABIGuardDefault(t *testing.T) {
	resolve := func(t *testing.T, noGuard, universal bool) *Result {
		t.Helper()
		o := Options{
			Inputs:     pyinputs.FromPaths(reqfile.PyprojectOptions{}, "-"),
			Stdin:      strings.NewReader("opencv-python==4.8.1.78\nnumpy\n"),
			IndexURL:   "testdata/index",
			Target:     TargetSpec{PythonVersion: "3.11", Platform: "linux"},
			NoCache:    true,
			NoABIGuard: noGuard,
			Universal:  universal,
			Getenv:     func(string) string { return "" },
		}
		if universal {
			o.Target.Platform = ""
		}
		res, err := Resolve(context.Background(), o)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	numpy := func(l *lockfile.Lock) string {
		for _, p := range l.Packages {
			if p.Name == "numpy" {
				return p.Version
			}
		}
		return ""
	}
	held := []lockfile.ToolABIGuard{{Provider: "numpy", Major: 2, FirstRelease: "2.0.0", Boundary: "2024-06-16",
		Reason:   "NumPy 2.0 changed the C ABI: extensions compiled against NumPy 1.x fail to import under NumPy 2.x",
		HeldBack: []string{"opencv-python==4.8.1.78"}}}
	line := "abi-guard: kept numpy below 2.0.0 for opencv-python==4.8.1.78: its compiled wheels were all uploaded before numpy 2.0.0 (2024-06-16)"
	for _, universal := range []bool{false, true} {
		res := resolve(t, false, universal)
		if got := numpy(res.Lock); got != "1.26.4" {
			t.Errorf("universal=%v: numpy %s, want 1.26.4", universal, got)
		}
		if diff := cmp.Diff([]string{line}, res.ABIGuard); diff != "" {
			t.Errorf("universal=%v: summary (-want +got):\n%s", universal, diff)
		}
		if diff := cmp.Diff(held, res.Lock.Tool.ABIGuard); diff != "" {
			t.Errorf("universal=%v: [[tool.pylock.abi-guard]] (-want +got):\n%s", universal, diff)
		}
		if g := res.Lock.Tool.Options["abi-guard"]; g != "on" {
			t.Errorf("universal=%v: options abi-guard = %q", universal, g)
		}
	}

	res := resolve(t, true, false)
	if got := numpy(res.Lock); got != "2.1.3" {
		t.Errorf("--no-abi-guard: numpy %s, want 2.1.3", got)
	}
	if len(res.ABIGuard) != 0 || res.Lock.Tool.Options["abi-guard"] != "off" {
		t.Errorf("--no-abi-guard: summary %q, option %q", res.ABIGuard, res.Lock.Tool.Options["abi-guard"])
	}
	if len(res.Lock.Tool.ABIGuard) != 1 || !cmp.Equal(res.Lock.Tool.ABIGuard[0].Unsafe, []string{"opencv-python==4.8.1.78"}) {
		t.Errorf("--no-abi-guard: record %+v", res.Lock.Tool.ABIGuard)
	}
	var warned bool
	for _, w := range res.Warnings {
		if strings.HasPrefix(w, "abi (--no-abi-guard): opencv-python==4.8.1.78 ships compiled wheels") &&
			strings.Contains(w, "\n  ways out:\n    1. constrain the provider: add \"numpy<2\"") {
			warned = true
		}
	}
	if !warned {
		t.Errorf("--no-abi-guard: no ABI warning in %q", res.Warnings)
	}
}
