package main

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pylock/pylock/internal/testenv"
)

// malformedCredURLs are index locations carrying a credential ("S3CR" in
// every spelling) that do not parse, or parse oddly: each must be rejected
// or fail without the credential reaching any output.
var malformedCredURLs = []string{
	"http://alice:S3CRET@127.0.0.1:notaport/simple/",
	"http://alice:S3CRET@[::1/simple/",
	"http://alice:S3CRET@[::1]:notaport/simple/",
	"alice:S3CRET@host.invalid/simple",
	"S3CRETTOKEN@host.invalid/simple",
	"http://alice:S3CR%45T@127.0.0.1:notaport/simple/", // %45 = E
	"https://alice:S3CRET@exa mple.com/simple",
	"http://alice:S3CR/ET@host.invalid/simple",
	"https://S3CRETTOKEN@host.invalid:notaport/",
	"file://alice:S3CRET@[::1/x",
	"http://alice:S3CRET@127.0.0.1:%41/simple",
	"ftp://alice:S3CRET@host.invalid/simple",
	"http://alice:S3CRET@/simple",
}

// TestMalformedURLsLeakNoCredentials feeds every malformed credentialed URL
// through every way an index location enters pylock — flags, requirements
// file options, environment variables, audit --index-url — and greps
// stdout, stderr and every file written (lock, cache) for the secret.
func TestMalformedURLsLeakNoCredentials(t *testing.T) {
	root := testenv.ModuleRoot()
	localIndex := filepath.Join(root, "testdata", "index")
	common := []string{"--python-version", "3.11", "--python-platform", "linux", "-v", "--no-progress"}
	// Each entry point returns the args of one run; reqfile and env are optional.
	type entry struct {
		name    string
		args    func(u, dir string) []string
		reqfile func(u string) string // requirements file content
		env     map[string]string     // value "U" is replaced by the URL
	}
	resolveArgs := func(extra ...string) func(u, dir string) []string {
		return func(u, dir string) []string {
			a := []string{"resolve", filepath.Join(dir, "req.txt"), "-o", filepath.Join(dir, "pylock.toml")}
			for _, e := range extra {
				a = append(a, strings.ReplaceAll(e, "U", u))
			}
			return append(a, common...)
		}
	}
	plain := func(string) string { return "sniffio\n" }
	entries := []entry{
		{name: "--index-url", args: resolveArgs("--index-url", "U"), reqfile: plain},
		{name: "--index-url=", args: resolveArgs("--index-url=U"), reqfile: plain},
		{name: "--extra-index-url", args: resolveArgs("--index-url", localIndex, "--extra-index-url", "U"), reqfile: plain},
		{name: "--find-links", args: resolveArgs("--index-url", localIndex, "--find-links", "U"), reqfile: plain},
		{name: "reqfile -i", args: resolveArgs(), reqfile: func(u string) string { return "-i " + u + "\nsniffio\n" }},
		{name: "reqfile --index-url", args: resolveArgs(), reqfile: func(u string) string { return "--index-url=" + u + "\nsniffio\n" }},
		{name: "reqfile --extra-index-url", args: resolveArgs("--index-url", localIndex),
			reqfile: func(u string) string { return "--extra-index-url " + u + "\nsniffio\n" }},
		{name: "reqfile -f", args: resolveArgs("--index-url", localIndex), reqfile: func(u string) string { return "-f " + u + "\nsniffio\n" }},
		{name: "reqfile --find-links", args: resolveArgs("--index-url", localIndex),
			reqfile: func(u string) string { return "--find-links " + u + "\nsniffio\n" }},
		{name: "PIP_INDEX_URL", args: resolveArgs(), reqfile: plain, env: map[string]string{"PIP_INDEX_URL": "U"}},
		{name: "PYLOCK_INDEX_URL", args: resolveArgs(), reqfile: plain, env: map[string]string{"PYLOCK_INDEX_URL": "U"}},
		{name: "PIP_EXTRA_INDEX_URL", args: resolveArgs("--index-url", localIndex), reqfile: plain,
			env: map[string]string{"PIP_EXTRA_INDEX_URL": "U"}},
		{name: "audit --index-url", args: func(u, dir string) []string {
			return []string{"audit", "--lock", filepath.Join(dir, "pylock.toml"), "--index-url", u}
		}},
	}
	// A good lock for the audit runs.
	lockDir := t.TempDir()
	t.Setenv("PYLOCK_CACHE_DIR", filepath.Join(lockDir, "cache"))
	for _, k := range []string{"PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL", "PYLOCK_INDEX_URL", "PIP_FIND_LINKS"} {
		t.Setenv(k, "")
	}
	if err := os.WriteFile(filepath.Join(lockDir, "req.txt"), []byte("sniffio\n"), 0o666); err != nil {
		t.Fatal(err)
	}
	var so, se bytes.Buffer
	if code := run(append([]string{"resolve", filepath.Join(lockDir, "req.txt"), "--index-url", localIndex,
		"-o", filepath.Join(lockDir, "pylock.toml")}, common...), strings.NewReader(""), &so, &se); code != 0 {
		t.Fatalf("setup lock: exit %d\n%s", code, se.String())
	}
	lock, err := os.ReadFile(filepath.Join(lockDir, "pylock.toml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		for i, u := range malformedCredURLs {
			t.Run(fmt.Sprintf("%s/%d", strings.TrimLeft(e.name, "-"), i), func(t *testing.T) {
				dir := t.TempDir()
				t.Setenv("PYLOCK_CACHE_DIR", filepath.Join(dir, "cache"))
				for k, v := range e.env {
					t.Setenv(k, strings.ReplaceAll(v, "U", u))
				}
				content := "sniffio\n"
				if e.reqfile != nil {
					content = e.reqfile(u)
				}
				if err := os.WriteFile(filepath.Join(dir, "req.txt"), []byte(content), 0o666); err != nil {
					t.Fatal(err)
				}
				if strings.HasPrefix(e.name, "audit") {
					if err := os.WriteFile(filepath.Join(dir, "pylock.toml"), lock, 0o666); err != nil {
						t.Fatal(err)
					}
				}
				var stdout, stderr bytes.Buffer
				code := run(e.args(u, dir), strings.NewReader(""), &stdout, &stderr)
				t.Logf("%s: exit %d: %s", u, code, stderr.String())
				if code == 0 {
					t.Errorf("exit 0 for a malformed index location (case %d)\nstderr:\n%s", i, stderr.String())
				}
				if stderr.Len() == 0 {
					t.Errorf("no error message")
				}
				check := func(what, s string) {
					if strings.Contains(strings.ToUpper(s), "S3CR") {
						t.Errorf("%s leaks the credential:\n%s", what, s)
					}
				}
				check("stdout", stdout.String())
				check("stderr", stderr.String())
				filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
					if err != nil || d.IsDir() || filepath.Base(p) == "req.txt" {
						return err
					}
					check(p, p)
					data, err := os.ReadFile(p)
					if err == nil {
						check(p, string(data))
					}
					return nil
				})
			})
		}
	}
}

// TestHugeLineNotEchoed: a megabyte-long requirement line is bad input
// (exit 2) and the error quotes only a short excerpt of it.
func TestHugeLineNotEchoed(t *testing.T) {
	localIndex := filepath.Join(testenv.ModuleRoot(), "testdata", "index")
	huge := strings.Repeat("a", 1<<20)
	for i, line := range []string{huge, huge + ">=1", "sniffio[" + huge + "]", "sniffio " + huge, "-i " + huge, "sniffio --hash=sha256:" + huge} {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			dir := t.TempDir()
			req := filepath.Join(dir, "req.txt")
			if err := os.WriteFile(req, []byte(line+"\n"), 0o666); err != nil {
				t.Fatal(err)
			}
			var stdout, stderr bytes.Buffer
			args := []string{"resolve", req, "--index-url", localIndex}
			if strings.HasPrefix(line, "-i") {
				args = args[:2]
			}
			code := run(append(args, "--no-cache", "--python-version", "3.11",
				"--python-platform", "linux", "-o", filepath.Join(dir, "pylock.toml")), strings.NewReader(""), &stdout, &stderr)
			if code != 2 && code != 3 {
				t.Errorf("exit %d, want 2 (bad input) or 3 (index)", code)
			}
			if n := stderr.Len() + stdout.Len(); n == 0 || n > 1500 {
				t.Errorf("output is %d bytes (want a short error): %.600s", n, stderr.String())
			}
		})
	}
}
