package lockfile

import (
	"strings"
	"testing"
)

func TestDiff(t *testing.T) {
	old := sampleLock()
	new := sampleLock()
	byName := func(l *Lock, n string) *Package {
		for i := range l.Packages {
			if l.Packages[i].Name == n {
				return &l.Packages[i]
			}
		}
		t.Fatalf("no %s", n)
		return nil
	}
	np := byName(new, "numpy")
	np.Version = "2.1.3"
	np.Wheels = []Artifact{whl("numpy-2.1.3-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl", 16_000_000)}
	byName(new, "idna").Version = "3.4"
	byName(new, "pydantic-core").Wheels[0].Hashes = map[string]string{"sha256": fakeHash("rebuilt")}
	f := byName(new, "fastapi")
	f.Wheels = append(f.Wheels, whl("fastapi-0.104.1-py3-none-win_amd64.whl", 1))
	f.Sdist = nil
	byName(new, "exceptiongroup").Marker = ""
	byName(new, "starlette").Wheels[0].URL = "https://mirror.example/starlette-0.27.0-py3-none-any.whl"
	byName(new, "anyio").Dependencies = deps("idna")
	var kept []Package
	for _, p := range new.Packages {
		if p.Name != "sniffio" {
			kept = append(kept, p)
		}
	}
	new.Packages = append(kept, Package{Name: "h11", Version: "0.14.0", Wheels: []Artifact{whl("h11-0.14.0-py3-none-any.whl", 1)}})

	changes := Diff(old, new)
	golden(t, "golden/sample.diff.txt", RenderDiff(changes))
	var kinds []string
	for _, c := range changes {
		kinds = append(kinds, c.Name+":"+string(c.Kind))
	}
	want := "anyio:changed exceptiongroup:changed fastapi:changed h11:added idna:downgraded numpy:upgraded pydantic-core:changed sniffio:removed starlette:changed"
	if got := strings.Join(kinds, " "); got != want {
		t.Errorf("changes %q\nwant     %q", got, want)
	}
	if d := Diff(old, sampleLock()); len(d) != 0 {
		t.Errorf("identical locks differ: %v", d)
	}
	if got := string(RenderDiff(nil)); got != "no changes\n" {
		t.Errorf("RenderDiff(nil) = %q", got)
	}
	// Order of packages and files does not matter.
	shuffled := sampleLock()
	shuffled.Packages[0], shuffled.Packages[5] = shuffled.Packages[5], shuffled.Packages[0]
	if d := Diff(old, shuffled); len(d) != 0 {
		t.Errorf("reordered lock differs: %v", d)
	}
	if d := Diff(nil, old); len(d) != len(old.Packages) || d[0].Kind != Added {
		t.Errorf("Diff(nil, lock) = %v", d)
	}
}

func TestDiffMultiVersion(t *testing.T) {
	a := mini("numpy 1.26.4", "numpy 2.0.0")
	a.Packages[0].Marker = `python_version < "3.10"`
	a.Packages[1].Marker = `python_version >= "3.10"`
	b := mini("numpy 1.26.4", "numpy 2.1.3")
	b.Packages[0].Marker = a.Packages[0].Marker
	b.Packages[1].Marker = a.Packages[1].Marker
	d := Diff(a, b)
	if len(d) != 1 || d[0].Kind != Upgraded || d[0].OldVersion != "1.26.4, 2.0.0" || d[0].NewVersion != "1.26.4, 2.1.3" {
		t.Errorf("diff = %+v", d)
	}
}
