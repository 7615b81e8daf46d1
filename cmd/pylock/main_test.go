package main

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/pylock/pylock/internal/corpus"
	"github.com/pylock/pylock/internal/fakeindex"
	"github.com/pylock/pylock/internal/testenv"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"pylock": main,
	})
}

// TestScripts runs the CLI golden scripts in testdata/script (UPDATE=1
// rewrites their cmp golden files). Each script gets:
//
//	$INDEX       the bundled fixture index (testdata/index, a local directory)
//	$FAKEINDEX   a fakeindex server over testdata/index.toml (simple URL)
//	$FAKEURL     that server's base URL
//	$HANGINDEX   a fakeindex server that never answers
//
// Besides testscript's commands: `exitcode N prog args...` (exec and check
// the exit status) and `normurl FILE...` (replace $FAKEURL by
// http://fakeindex in the files, so that goldens compared with cmp do not
// depend on the port and UPDATE=1 can rewrite them).
//
//	$DEADINDEX   an index URL on a closed 127.0.0.1 port
//	$FAKEHOST    host:port of $FAKEINDEX
//	$ROOT        the module root (examples/, testdata/)
//	$SPEC_EXAMPLE ../shared/vectors/pylock/pylock.spec-example.toml ([shared] when present)
//
// PYLOCK_CACHE_DIR points into the script's work dir, and every PIP_* /
// PYLOCK_INDEX_URL variable is cleared.
func TestScripts(t *testing.T) {
	root := testenv.ModuleRoot()
	sc, err := corpus.LoadPackse(filepath.Join(root, "testdata", "index.toml"))
	if err != nil {
		t.Fatal(err)
	}
	dead := closedPort(t)
	// The PEP 751 spec example, when ../shared is there ([shared] condition).
	spec := filepath.Join(root, "..", "shared", "vectors", "pylock", "pylock.spec-example.toml")
	if s := os.Getenv("PYLOCK_SHARED"); s != "" {
		spec = filepath.Join(s, "vectors", "pylock", "pylock.spec-example.toml")
	}
	_, err = os.Stat(spec)
	haveShared := err == nil
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script",
		UpdateScripts:       os.Getenv("UPDATE") == "1",
		RequireExplicitExec: true,
		Cmds:                map[string]func(ts *testscript.TestScript, neg bool, args []string){"exitcode": cmdExitcode, "normurl": cmdNormURL, "mkdist": cmdMkdist},
		Condition: func(cond string) (bool, error) {
			switch cond {
			case "shared":
				return haveShared, nil
			case "root": // permissions do not stop root
				return os.Geteuid() == 0, nil
			}
			return false, fmt.Errorf("unknown condition %q", cond)
		},
		Setup: func(e *testscript.Env) error {
			srv := fakeindex.New(sc.Index, fakeindex.Options{})
			e.Defer(srv.Close)
			e.Setenv("INDEX", filepath.Join(root, "testdata", "index"))
			e.Setenv("FAKEINDEX", srv.SimpleURL())
			e.Setenv("FAKEURL", srv.URL())
			e.Setenv("FAKEHOST", strings.TrimPrefix(srv.URL(), "http://")) // host:port, for URLs with credentials
			hang := fakeindex.New(sc.Index, fakeindex.Options{FailRate: 1, FailKinds: []fakeindex.Fault{fakeindex.FaultHang}})
			e.Defer(hang.Close)
			e.Setenv("HANGINDEX", hang.SimpleURL())
			e.Setenv("DEADINDEX", "http://127.0.0.1:"+dead+"/simple/")
			e.Setenv("ROOT", root)
			e.Setenv("SPEC_EXAMPLE", spec)
			e.Setenv("PYLOCK_CACHE_DIR", filepath.Join(e.WorkDir, ".cache"))
			for _, k := range []string{"PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL", "PYLOCK_INDEX_URL", "PIP_FIND_LINKS"} {
				e.Setenv(k, "")
			}
			return nil
		},
	})
}

// closedPort returns a 127.0.0.1 port nothing listens on (bound, then closed).
func closedPort(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	_, port, _ := net.SplitHostPort(l.Addr().String())
	l.Close()
	return port
}

// cmdExitcode is the script command `exitcode N prog args...`: it runs prog
// like exec (stdout/stderr available to later checks) and asserts that its
// exit status is N.
func cmdExitcode(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: exitcode N program [args...]")
	}
	want, err := strconv.Atoi(args[0])
	if err != nil {
		ts.Fatalf("exitcode: bad status %q", args[0])
	}
	err = ts.Exec(args[1], args[2:]...)
	got := 0
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		got = ee.ExitCode()
	case err != nil:
		ts.Fatalf("exitcode: %v", err)
	}
	if got != want {
		ts.Fatalf("exit status %d, want %d", got, want)
	}
}

// cmdNormURL is the script command `normurl FILE...`.
func cmdNormURL(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) == 0 {
		ts.Fatalf("usage: normurl FILE...")
	}
	for _, f := range args {
		data := ts.ReadFile(f)
		data = strings.ReplaceAll(data, ts.Getenv("FAKEURL"), "http://fakeindex")
		if err := os.WriteFile(ts.MkAbs(f), []byte(data), 0o666); err != nil {
			ts.Fatalf("normurl: %v", err)
		}
	}
}
