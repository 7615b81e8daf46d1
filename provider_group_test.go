package pylock

import (
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/pylock/pylock/pypi/index"
	"github.com/pylock/pylock/pypi/target"
	"github.com/pylock/pylock/pypi/wheel"
)

// permute applies any permutation in place: all[i] becomes the old
// all[order[i]], keys alike.
func TestPermute(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for n := range 40 {
		for range 5 {
			all := make([]file, n)
			keys := make([]string, n)
			for i := range all {
				all[i].File = &index.File{Filename: strconv.Itoa(i)}
				keys[i] = "k" + strconv.Itoa(i)
			}
			order := r.Perm(n)
			want := append([]int(nil), order...)
			got := permute(all, keys, order)
			for i, k := range want {
				if got[i].Filename != strconv.Itoa(k) || keys[i] != "k"+strconv.Itoa(k) {
					t.Fatalf("n=%d order %v: position %d holds %s/%s, want %d", n, want, i, got[i].Filename, keys[i], k)
				}
			}
		}
	}
}

// wheelTagPart is the part of a wheel name its tags come from: names with
// the same part have the same tags.
func TestWheelTagPart(t *testing.T) {
	for _, c := range []struct{ fn, want string }{
		{"botocore-1.2.3-py2.py3-none-any.whl", "py2.py3-none-any"},
		{"numpy-1.26.0-1build-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl", "cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64"},
		{"Foo_Bar-2.0-PY3-None-Any.whl", "PY3-None-Any"},
	} {
		got := wheelTagPart(c.fn)
		if got != c.want {
			t.Errorf("wheelTagPart(%q) = %q, want %q", c.fn, got, c.want)
		}
		w, err := wheel.ParseFilename(c.fn)
		if err != nil {
			t.Fatal(err)
		}
		o, err := wheel.ParseFilename("other-9-" + got + ".whl")
		if err != nil || !slices.Equal(w.Tags, o.Tags) {
			t.Errorf("%s: tags %v, from its tag part %v (%v)", c.fn, w.Tags, o.Tags, err)
		}
	}
}

// group orders releases by version (equal versions by normalised form) and
// each release's files as before; candidates follow that order.
func TestGroupOrdersReleasesByVersion(t *testing.T) {
	tg, err := target.New("3.11", "x86_64-manylinux_2_28")
	if err != nil {
		t.Fatal(err)
	}
	p := NewProvider(nil, tg)
	var files []index.File
	for _, v := range []string{"2.0", "1.0.0", "10.0", "1.0", "1!0.1", "2.0rc1", "2.0.post1", "1.0", "0.9.dev0", "2.0"} {
		files = append(files,
			index.File{Filename: "a-" + v + ".tar.gz"},
			index.File{Filename: "a-" + v + "-py3-none-any.whl"},
			index.File{Filename: "a-" + v + "-cp311-cp311-manylinux_2_17_x86_64.whl"})
	}
	r := rand.New(rand.NewPCG(3, 4))
	r.Shuffle(len(files), func(i, j int) { files[i], files[j] = files[j], files[i] })
	pr := p.group(&index.Project{Name: "a", Files: files})
	cands := pr.candidates()
	want := []string{"0.9.dev0", "1.0", "1.0.0", "2.0rc1", "2.0", "2.0.post1", "10.0", "1!0.1"}
	var got []string
	for i, c := range cands {
		got = append(got, c.Version.String())
		if i > 0 && c.Version.Less(cands[i-1].Version) {
			t.Errorf("%s before %s", cands[i-1].Version, c.Version)
		}
		if len(c.Dists) < 3 || !strings.HasSuffix(c.Dists[0].Filename, "manylinux_2_17_x86_64.whl") || !strings.HasSuffix(c.Dists[len(c.Dists)-1].Filename, ".tar.gz") {
			t.Errorf("%s: dists %v", c.Version, c.Dists)
		}
		if r := pr.releases[c.Version.String()]; r == nil || len(r.files) != len(c.Dists) {
			t.Errorf("%s: release lookup %v", c.Version, r)
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("versions %v, want %v", got, want)
	}
}
