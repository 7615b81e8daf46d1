package lockfile

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/pylock/pylock/internal/testenv"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata/")

// golden compares got with testdata/<name>, rewriting it under -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (go test -update rewrites it):\n%s", path, cmp.Diff(string(want), string(got)))
	}
}

// lockDiff compares locks, treating nil and empty alike.
func lockDiff(want, got *Lock) string {
	return cmp.Diff(want, got, cmpopts.EquateEmpty(), cmpopts.EquateNaNs())
}

func specExample(t testing.TB) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(testenv.VectorsDir(t), "pylock", "pylock.spec-example.toml"))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func fakeHash(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

var sampleTime = time.Date(2023, 11, 12, 10, 20, 30, 123456000, time.UTC)

func whl(name string, size int64) Artifact {
	return Artifact{
		Name:       name,
		URL:        "https://files.pythonhosted.org/packages/" + fakeHash(name)[:6] + "/" + name,
		Size:       size,
		UploadTime: sampleTime,
		Hashes:     map[string]string{"sha256": fakeHash(name)},
	}
}

func sdist(name string, size int64) *Artifact {
	a := whl(name, size)
	return &a
}

func deps(names ...string) []Dependency {
	var out []Dependency
	for _, n := range names {
		out = append(out, Dependency{Name: n})
	}
	return out
}

// sampleLock is the seed stack in small: fastapi with its dependencies,
// opencv-python on numpy (heavy, platform wheels), one marker.
func sampleLock() *Lock {
	const idx = "https://pypi.org/simple"
	return &Lock{
		LockVersion:    "1.0",
		Environments:   []string{`sys_platform == "linux" and platform_machine == "x86_64" and python_full_version == "3.11.7" and implementation_name == "cpython"`},
		RequiresPython: ">=3.11",
		CreatedBy:      "pylock",
		Packages: []Package{
			{Name: "opencv-python", Version: "4.8.1.78", RequiresPython: ">=3.6", Index: idx,
				Dependencies: deps("numpy"),
				Wheels: []Artifact{
					whl("opencv_python-4.8.1.78-cp37-abi3-manylinux_2_17_x86_64.manylinux2014_x86_64.whl", 61_700_000),
				},
				Sdist: sdist("opencv-python-4.8.1.78.tar.gz", 92_000_000)},
			{Name: "numpy", Version: "1.26.4", RequiresPython: ">=3.9", Index: idx,
				Wheels: []Artifact{
					whl("numpy-1.26.4-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl", 18_300_000),
				},
				Sdist: sdist("numpy-1.26.4.tar.gz", 15_800_000)},
			{Name: "fastapi", Version: "0.104.1", RequiresPython: ">=3.8", Index: idx,
				Dependencies: deps("typing-extensions", "anyio", "pydantic", "starlette"),
				Wheels:       []Artifact{whl("fastapi-0.104.1-py3-none-any.whl", 92_900)},
				Sdist:        sdist("fastapi-0.104.1.tar.gz", 10_900_000)},
			{Name: "anyio", Version: "3.7.1", RequiresPython: ">=3.7", Index: idx,
				Dependencies: []Dependency{{Name: "idna"}, {Name: "sniffio"}, {Name: "exceptiongroup", Marker: `python_version < "3.11"`}},
				Wheels:       []Artifact{whl("anyio-3.7.1-py3-none-any.whl", 80_900)}},
			{Name: "exceptiongroup", Version: "1.2.0", Marker: `python_version < "3.11"`, RequiresPython: ">=3.7", Index: idx,
				Wheels: []Artifact{whl("exceptiongroup-1.2.0-py3-none-any.whl", 16_200)}},
			{Name: "idna", Version: "3.6", RequiresPython: ">=3.5", Index: idx,
				Wheels: []Artifact{whl("idna-3.6-py3-none-any.whl", 61_600)}},
			{Name: "sniffio", Version: "1.3.0", RequiresPython: ">=3.7", Index: idx,
				Wheels: []Artifact{whl("sniffio-1.3.0-py3-none-any.whl", 10_000)}},
			{Name: "starlette", Version: "0.27.0", RequiresPython: ">=3.7", Index: idx,
				Dependencies: deps("anyio"),
				Wheels:       []Artifact{whl("starlette-0.27.0-py3-none-any.whl", 66_000)}},
			{Name: "pydantic", Version: "2.5.2", RequiresPython: ">=3.7", Index: idx,
				Dependencies: deps("annotated-types", "pydantic-core", "typing-extensions"),
				Wheels:       []Artifact{whl("pydantic-2.5.2-py3-none-any.whl", 381_900)}},
			{Name: "pydantic-core", Version: "2.14.5", RequiresPython: ">=3.7", Index: idx,
				Dependencies: deps("typing-extensions"),
				Wheels: []Artifact{
					whl("pydantic_core-2.14.5-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl", 2_100_000),
				}},
			{Name: "annotated-types", Version: "0.6.0", RequiresPython: ">=3.8", Index: idx,
				Wheels: []Artifact{whl("annotated_types-0.6.0-py3-none-any.whl", 12_400)}},
			{Name: "typing-extensions", Version: "4.9.0", RequiresPython: ">=3.8", Index: idx,
				Wheels: []Artifact{whl("typing_extensions-4.9.0-py3-none-any.whl", 32_800)}},
		},
		Tool: Tool{
			InputsHash:   "sha256:" + fakeHash("requirements.txt"),
			Inputs:       []string{"requirements.txt"},
			Requirements: []string{"fastapi==0.104.1", "opencv-python==4.8.1.78", "numpy"},
			Options:      map[string]string{"index-url": "https://pypi.org/simple", "python-version": "3.11"},
			Target:       "CPython 3.11.7 x86_64-manylinux_2_28",
			InstallFirst: []string{"numpy"},
			Command:      "pylock resolve requirements.txt -o pylock.toml",
		},
	}
}

// mini builds a lock from lines "name version: dep dep..." (version
// optional, "1.0" by default); every package gets one pure wheel.
func mini(lines ...string) *Lock {
	l := &Lock{LockVersion: "1.0", CreatedBy: "test"}
	for _, line := range lines {
		head, tail, _ := strings.Cut(line, ":")
		f := strings.Fields(head)
		name, version := f[0], "1.0"
		if len(f) > 1 {
			version = f[1]
		}
		p := Package{Name: name, Version: version, Dependencies: deps(strings.Fields(tail)...)}
		p.Wheels = []Artifact{whl(strings.ReplaceAll(name, "-", "_")+"-"+version+"-py3-none-any.whl", 1000)}
		l.Packages = append(l.Packages, p)
	}
	return l
}

// planString renders a plan compactly: "numpy | anyio idna" (steps
// separated by " | ").
func planString(p *InstallPlan) string {
	var steps []string
	for _, s := range p.Steps {
		var names []string
		for _, pkg := range s.Packages {
			names = append(names, pkg.Name)
		}
		steps = append(steps, strings.Join(names, " "))
	}
	return strings.Join(steps, " | ")
}
