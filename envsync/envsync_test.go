package envsync

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/pylock/pylock/audit/installed"
	"github.com/pylock/pylock/lockfile"
	"github.com/pylock/pylock/pypi/pep508"
)

// testLock: app depends on lib; lib on base; win-only under a marker.
func testLock() *lockfile.Lock {
	pkg := func(name, version, marker string, deps ...string) lockfile.Package {
		p := lockfile.Package{Name: name, Version: version, Marker: marker,
			Wheels: []lockfile.Artifact{{Name: strings.ReplaceAll(name, "-", "_") + "-" + version + "-py3-none-any.whl",
				URL: "https://files.example/" + name, Hashes: map[string]string{"sha256": strings.Repeat("a", 64)}}}}
		for _, d := range deps {
			p.Dependencies = append(p.Dependencies, lockfile.Dependency{Name: d})
		}
		return p
	}
	return &lockfile.Lock{LockVersion: "1.0", CreatedBy: "pylock", Packages: []lockfile.Package{
		pkg("app", "1.0", "", "lib"),
		pkg("lib", "2.0", "", "base"),
		pkg("base", "3.0", ""),
		pkg("win-only", "1.0", `sys_platform == "win32"`),
	}}
}

var linux = pep508.Env{"sys_platform": "linux", "python_version": "3.11", "python_full_version": "3.11.7",
	"platform_machine": "x86_64", "implementation_name": "cpython", "os_name": "posix",
	"platform_system": "Linux", "platform_python_implementation": "CPython", "platform_release": "", "platform_version": "", "implementation_version": "3.11.7"}

// site is a fake site-packages directory.
type site struct {
	t   *testing.T
	dir string
}

func (s site) install(name, version string) {
	s.t.Helper()
	di := filepath.Join(s.dir, strings.ReplaceAll(name, "-", "_")+"-"+version+".dist-info")
	if err := os.MkdirAll(di, 0o755); err != nil {
		s.t.Fatal(err)
	}
	os.WriteFile(filepath.Join(di, "METADATA"), []byte("Name: "+name+"\nVersion: "+version+"\n"), 0o644)
	mod := filepath.Join(s.dir, strings.ReplaceAll(name, "-", "_")+".py")
	os.WriteFile(mod, []byte("# "+name+"\n"), 0o644)
	// sha256 of "# name\n" is not computed here: RECORD lists the module
	// with the hash of its original content via recordHash.
	os.WriteFile(filepath.Join(di, "RECORD"), []byte(filepath.Base(mod)+","+recordHash("# "+name+"\n")+",\n"), 0o644)
}

func (s site) remove(name string) {
	matches, _ := filepath.Glob(filepath.Join(s.dir, strings.ReplaceAll(name, "-", "_")+"-*.dist-info"))
	for _, m := range matches {
		os.RemoveAll(m)
	}
}

func (s site) read(context.Context, string) (*installed.Env, error) {
	return installed.ReadSitePackages(s.dir)
}

var reqLine = regexp.MustCompile(`(?m)^([a-z0-9-]+)==(\S+)`)

// fakePip applies pip install/uninstall argv to the site; fail(argv)
// returning non-empty output makes the call fail with it.
func (s site) fakePip(calls *[]string, fail func(argv []string, stdin string) string) func(context.Context, []string, []byte) ([]byte, error) {
	return func(_ context.Context, argv []string, stdin []byte) ([]byte, error) {
		*calls = append(*calls, strings.Join(argv[1:], " ")+" <<"+strings.Join(reqNames(string(stdin)), ",")+">>")
		if out := fail(argv, string(stdin)); out != "" {
			return []byte(out), errors.New("exit status 1")
		}
		switch argv[3] {
		case "uninstall":
			for _, n := range argv[5:] {
				s.remove(n)
			}
		case "install":
			for _, m := range reqLine.FindAllStringSubmatch(string(stdin), -1) {
				s.remove(m[1])
				s.install(m[1], m[2])
			}
		}
		return []byte("ok\n"), nil
	}
}

func reqNames(s string) []string {
	var out []string
	for _, m := range reqLine.FindAllStringSubmatch(s, -1) {
		out = append(out, m[1]+"=="+m[2])
	}
	return out
}

func never([]string, string) string { return "" }

func TestSyncMakesTheEnvironmentMatch(t *testing.T) {
	s := site{t, t.TempDir()}
	s.install("base", "3.0")     // right
	s.install("lib", "1.5")      // wrong version
	s.install("colorama", "0.4") // extra
	s.install("pip", "23.2.1")   // tooling: kept
	s.install("app", "1.0")      // right version, edited after installation
	os.WriteFile(filepath.Join(s.dir, "app.py"), []byte("# edited\n"), 0o644)

	l := testLock()
	plan, err := lockfile.Plan(l, []string{"base"})
	if err != nil {
		t.Fatal(err)
	}
	var calls []string
	var log bytes.Buffer
	o := Options{Lock: l, Plan: plan, Python: "py", MarkerEnv: linux, Log: &log,
		ReadEnv: s.read, Run: s.fakePip(&calls, never)}

	// Dry run: the same report, no pip call.
	o.DryRun = true
	res, err := Sync(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	if len(calls) != 0 || res.Findings != nil {
		t.Fatalf("dry run ran %q / verified", calls)
	}
	wantLog := `dry run: nothing is changed
keep pip==23.2.1 (installer tooling, not in the lock)
would remove colorama==0.4
install step 1/1 (plan step 2: packages):
  would change lib 1.5 -> 2.0
  would reinstall app==1.0 (files changed since installation)
`
	if log.String() != wantLog {
		t.Errorf("dry-run log:\n%s\nwant:\n%s", log.String(), wantLog)
	}

	o.DryRun = false
	log.Reset()
	res, err = Sync(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"-m pip uninstall --yes colorama <<>>",
		"-m pip install --no-deps --require-hashes --force-reinstall -r /dev/stdin <<lib==2.0,app==1.0>>",
	}
	if strings.Join(calls, "\n") != strings.Join(want, "\n") {
		t.Errorf("pip calls:\n%s\nwant:\n%s", strings.Join(calls, "\n"), strings.Join(want, "\n"))
	}
	if res.Differs || res.Locked != 3 {
		t.Errorf("after sync: differs=%v locked=%d findings=%v", res.Differs, res.Locked, res.Findings)
	}
	// A second sync has nothing to do.
	calls = nil
	res, err = Sync(context.Background(), o)
	if err != nil || len(calls) != 0 || !res.Changes.Empty() || res.Differs {
		t.Errorf("second sync: err=%v calls=%q changes=%+v", err, calls, res.Changes)
	}
}

func TestSyncStepFailure(t *testing.T) {
	s := site{t, t.TempDir()}
	l := testLock()
	plan, _ := lockfile.Plan(l, []string{"base"})
	for _, tt := range []struct {
		name, output string
		network      bool
	}{
		{"index unreachable", "ERROR: Could not find a version that satisfies the requirement lib==2.0 (from versions: none)\nERROR: No matching distribution found for lib==2.0", true},
		{"hash mismatch", "ERROR: THESE PACKAGES DO NOT MATCH THE HASHES FROM THE REQUIREMENTS FILE.", true},
		{"build failure", "error: subprocess-exited-with-error", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s.remove("base")
			s.remove("lib")
			s.remove("app")
			var calls []string
			o := Options{Lock: l, Plan: plan, Python: "py", MarkerEnv: linux, ReadEnv: s.read,
				Resume: "pylock sync --venv .venv", IndexURL: "https://user:pw@pkgs.example/simple",
				Run: s.fakePip(&calls, func(argv []string, stdin string) string {
					if strings.Contains(stdin, "lib==") {
						return "Collecting lib==2.0\n" + tt.output + "\n"
					}
					return ""
				})}
			_, err := Sync(context.Background(), o)
			var se *StepError
			if !errors.As(err, &se) {
				t.Fatalf("err = %v, want a *StepError", err)
			}
			if se.Step != 2 || se.Steps != 2 || se.Network != tt.network {
				t.Errorf("step %d/%d network=%v", se.Step, se.Steps, se.Network)
			}
			msg := err.Error()
			if strings.Contains(msg, "pw@") || !strings.Contains(msg, "--index-url https://pkgs.example/simple") {
				t.Errorf("credentials in the message, or no index:\n%s", msg)
			}
			for _, want := range []string{"install step 2/2 failed: py -m pip install", tt.output,
				"the environment is as pip left it (install steps 1-1 done); fix the cause and resume with: pylock sync --venv .venv"} {
				if !strings.Contains(msg, want) {
					t.Errorf("message lacks %q:\n%s", want, msg)
				}
			}
			// Step 1 happened and stays: base is installed.
			env, _ := s.read(context.Background(), "")
			if env.Dists["base"] == nil || env.Dists["lib"] != nil {
				t.Errorf("environment after the failure: %v", env.Names())
			}
		})
	}
}

func TestDiffMarkersAndTooling(t *testing.T) {
	s := site{t, t.TempDir()}
	for _, n := range []string{"pip", "setuptools", "wheel", "win-only"} {
		s.install(n, "1.0")
	}
	l := testLock()
	// A lock that pins setuptools replaces it; pip and wheel stay.
	l.Packages = append(l.Packages, lockfile.Package{Name: "setuptools", Version: "69.0",
		Wheels: []lockfile.Artifact{{Name: "setuptools-69.0-py3-none-any.whl", Hashes: map[string]string{"sha256": strings.Repeat("b", 64)}}}})
	plan, _ := lockfile.Plan(l, nil)
	env, _ := s.read(context.Background(), "")
	c := Diff(l, plan, env, linux, "")
	var got []string
	for _, a := range c.Remove {
		got = append(got, a.String())
	}
	for _, st := range c.Steps {
		for _, a := range st.Actions {
			got = append(got, a.String())
		}
	}
	want := "remove win-only==1.0 | install base==3.0 | install lib==2.0 | install app==1.0 | change setuptools 1.0 -> 69.0"
	if strings.Join(got, " | ") != want {
		t.Errorf("diff = %s\nwant   %s", strings.Join(got, " | "), want)
	}
	if fmt.Sprint(c.Kept) != "[pip wheel]" {
		t.Errorf("kept = %v", c.Kept)
	}
	// On Windows the marker holds: win-only stays and is installed at its version.
	win := pep508.Env{}
	for k, v := range linux {
		win[k] = v
	}
	win["sys_platform"] = "win32"
	if c := Diff(l, plan, env, win, ""); len(c.Remove) != 0 {
		t.Errorf("win32: removes %v", c.Remove)
	}
}

func TestCheckEnvironments(t *testing.T) {
	l := testLock()
	if err := CheckEnvironments(l, linux); err != nil {
		t.Errorf("no environments: %v", err)
	}
	l.Environments = []string{`sys_platform == "darwin"`, `sys_platform == "win32"`}
	err := CheckEnvironments(l, linux)
	if err == nil || !strings.Contains(err.Error(), "not for this interpreter") {
		t.Errorf("err = %v", err)
	}
	l.Environments = append(l.Environments, `sys_platform == "linux"`)
	if err := CheckEnvironments(l, linux); err != nil {
		t.Errorf("linux listed: %v", err)
	}
}

func recordHash(content string) string {
	sum := sha256.Sum256([]byte(content))
	return "sha256=" + base64.RawURLEncoding.EncodeToString(sum[:])
}
