package pylock

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/pylock/pylock/pypi/index"
	"github.com/pylock/pylock/pypi/reqfile"
	"github.com/pylock/pylock/resolver"
)

func TestKindOf(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want Kind
	}{
		{nil, 0},
		{&resolver.NoSolutionError{Explanation: "x"}, KindNoSolution},
		{fmt.Errorf("wrapped: %w", &resolver.BudgetError{}), KindNoSolution},
		{&indexError{errors.New("GET x: 503")}, KindIndex},
		{fmt.Errorf("a: %w", &indexError{errors.New("reset")}), KindIndex},
		{fmt.Errorf("numpy: %w", index.ErrOffline), KindIndex},
		{fmt.Errorf("numpy==1.0: %w", index.ErrNeedsBuild), KindNoSolution},
		{usageErr(errors.New("bad flag")), KindUsage},
		{errors.New("anything else"), KindUsage},
		{wrap(&resolver.NoSolutionError{}), KindNoSolution},
	} {
		if got := KindOf(tc.err); got != tc.want {
			t.Errorf("KindOf(%v) = %s, want %s", tc.err, got, tc.want)
		}
	}
}

func TestIndexOptionsPrecedence(t *testing.T) {
	env := map[string]string{}
	getenv := func(k string) string { return env[k] }
	opts := func(req Options, in *inputs) index.Options {
		t.Helper()
		o, err := buildIndexOptions(req, in, getenv)
		if err != nil {
			t.Fatal(err)
		}
		return o
	}
	in := &inputs{}
	if got := opts(Options{}, in).IndexURL; got != DefaultIndexURL {
		t.Errorf("default = %q", got)
	}
	env["PIP_INDEX_URL"] = "https://pip.example/simple"
	if got := opts(Options{}, in).IndexURL; got != env["PIP_INDEX_URL"] {
		t.Errorf("PIP_INDEX_URL: got %q", got)
	}
	env["PYLOCK_INDEX_URL"] = "https://pylock.example/simple"
	if got := opts(Options{}, in).IndexURL; got != env["PYLOCK_INDEX_URL"] {
		t.Errorf("PYLOCK_INDEX_URL beats PIP_INDEX_URL: got %q", got)
	}
	in.indexURL = "https://file.example/simple"
	if got := opts(Options{}, in).IndexURL; got != in.indexURL {
		t.Errorf("file beats env: got %q", got)
	}
	if got := opts(Options{IndexURL: "./testdata/index"}, in).IndexURL; got != "./testdata/index" {
		t.Errorf("flag beats file: got %q", got)
	}

	env["PIP_EXTRA_INDEX_URL"] = "https://a.example/simple https://b.example/simple"
	if got := opts(Options{}, &inputs{}).ExtraIndexURLs; !cmp.Equal(got, []string{"https://a.example/simple", "https://b.example/simple"}) {
		t.Errorf("PIP_EXTRA_INDEX_URL: got %q", got)
	}
	got := opts(Options{ExtraIndexURLs: []string{"https://flag.example"}}, &inputs{extraIndex: []string{"https://file.example"}}).ExtraIndexURLs
	if !cmp.Equal(got, []string{"https://flag.example", "https://file.example"}) {
		t.Errorf("flags then file, env ignored: got %q", got)
	}
	if _, err := buildIndexOptions(Options{IndexStrategy: "random"}, &inputs{}, getenv); err == nil {
		t.Error("bad --index-strategy accepted")
	}
}

func TestResolverOptions(t *testing.T) {
	in := &inputs{pre: true}
	_ = in.format.AddNoBinary("numpy")
	o, err := buildResolverOptions(Options{
		OnlyBinary:      []string{"Pillow,opencv_python"},
		UpgradePackages: []string{"NumPy", "a,b"},
		ExcludeNewer:    time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC),
	}, in)
	if err != nil {
		t.Fatal(err)
	}
	if o.Prerelease != resolver.PrereleaseAllow {
		t.Errorf("--pre in a file: prerelease %q", o.Prerelease)
	}
	if o.Resolution != resolver.ResolutionHighest {
		t.Errorf("resolution %q", o.Resolution)
	}
	if want := (resolver.BinaryPolicy{Packages: []string{"opencv-python", "pillow"}}); !cmp.Equal(o.OnlyBinary, want) {
		t.Errorf("only-binary %+v, want %+v", o.OnlyBinary, want)
	}
	if want := (resolver.BinaryPolicy{Packages: []string{"numpy"}}); !cmp.Equal(o.NoBinary, want) {
		t.Errorf("no-binary %+v, want %+v", o.NoBinary, want)
	}
	if !cmp.Equal(o.UpgradePackages, []string{"numpy", "a", "b"}) {
		t.Errorf("upgrade packages %q", o.UpgradePackages)
	}
	if !o.ExcludeNewer.Equal(time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("exclude-newer %v", o.ExcludeNewer)
	}
	all, err := buildResolverOptions(Options{OnlyBinary: []string{reqfile.All}}, &inputs{})
	if err != nil || !all.OnlyBinary.All {
		t.Errorf(":all: -> %+v, %v", all.OnlyBinary, err)
	}
	for _, bad := range []Options{{Prerelease: "sometimes"}, {Resolution: "middle"}, {MaxSteps: -1}} {
		if _, err := buildResolverOptions(bad, &inputs{}); err == nil {
			t.Errorf("%+v accepted", bad)
		}
	}
}

func TestLockableFiles(t *testing.T) {
	at := func(s string) time.Time { t, _ := time.Parse(time.RFC3339, s); return t }
	mk := func(name string, wheel, compat, yanked bool, up string) SnapshotFile {
		return SnapshotFile{File: index.File{Filename: name, Yanked: yanked, UploadTime: at(up)}, Wheel: wheel, Compatible: compat}
	}
	files := []SnapshotFile{
		mk("a-1.0-cp312-cp312-manylinux_2_17_x86_64.whl", true, true, false, "2024-01-01T00:00:00Z"),
		mk("a-1.0-cp312-cp312-win_amd64.whl", true, false, false, "2024-01-01T00:00:00Z"),
		mk("a-1.0-cp313-cp313-manylinux_2_17_x86_64.whl", true, true, false, "2024-09-01T00:00:00Z"),
		mk("a-1.0-py3-none-any.whl", true, true, true, "2024-01-01T00:00:00Z"),
		mk("a-1.0.tar.gz", false, true, false, "2024-01-01T00:00:00Z"),
	}
	names := func(fs []SnapshotFile) []string {
		var out []string
		for _, f := range fs {
			out = append(out, f.Filename)
		}
		return out
	}
	var none reqfile.FormatControl
	if got, want := names(lockableFiles(files, "a", none, time.Time{})), []string{
		"a-1.0-cp312-cp312-manylinux_2_17_x86_64.whl", "a-1.0-cp313-cp313-manylinux_2_17_x86_64.whl", "a-1.0.tar.gz",
	}; !cmp.Equal(got, want) {
		t.Errorf("default: %q, want %q", got, want)
	}
	if got, want := names(lockableFiles(files, "a", none, at("2024-06-01T00:00:00Z"))), []string{
		"a-1.0-cp312-cp312-manylinux_2_17_x86_64.whl", "a-1.0.tar.gz",
	}; !cmp.Equal(got, want) {
		t.Errorf("cutoff: %q, want %q", got, want)
	}
	var nb reqfile.FormatControl
	_ = nb.AddNoBinary("a")
	if got, want := names(lockableFiles(files, "a", nb, time.Time{})), []string{"a-1.0.tar.gz"}; !cmp.Equal(got, want) {
		t.Errorf("--no-binary: %q, want %q", got, want)
	}
	var ob reqfile.FormatControl
	_ = ob.AddOnlyBinary(reqfile.All)
	if got := names(lockableFiles(files, "a", ob, time.Time{})); len(got) != 2 {
		t.Errorf("--only-binary: %q", got)
	}
	onlyYanked := []SnapshotFile{mk("a-1.0-py3-none-any.whl", true, true, true, "2024-01-01T00:00:00Z")}
	if got := lockableFiles(onlyYanked, "a", none, time.Time{}); len(got) != 1 {
		t.Errorf("a pinned yanked version keeps its files: %v", got)
	}
}
