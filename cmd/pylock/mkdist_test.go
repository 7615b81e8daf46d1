package main

import (
	"os"
	"path/filepath"
	"strings"

	"github.com/pylock/pylock/internal/buildtest"
	"github.com/rogpeppe/go-internal/testscript"
)

// cmdMkdist is the script command `mkdist DIR sdist|wheel NAME VERSION
// [REQUIREMENT...]`: it adds a distribution to the local directory index
// DIR (DIR/NAME/FILE). An sdist has a Metadata-Version 1.1 PKG-INFO and its
// requirements only in setup.py, so its metadata needs a build; a wheel is
// py3-none-any with the requirements as Requires-Dist.
func cmdMkdist(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 4 {
		ts.Fatalf("usage: mkdist DIR sdist|wheel NAME VERSION [REQUIREMENT...]")
	}
	dir, kind, name, version, reqs := ts.MkAbs(args[0]), args[1], args[2], args[3], args[4:]
	var fn string
	var data []byte
	switch kind {
	case "sdist":
		fn, data = name+"-"+version+".tar.gz", buildtest.SetuptoolsSdist(name, version, reqs, "")
	case "wheel":
		fn, data = buildtest.Wheel(name, version, reqs...)
	default:
		ts.Fatalf("mkdist: kind %q is neither sdist nor wheel", kind)
	}
	p := filepath.Join(dir, strings.ToLower(name), fn)
	ts.Check(os.MkdirAll(filepath.Dir(p), 0o755))
	ts.Check(os.WriteFile(p, data, 0o644))
}
