package audit

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pylock/pylock/audit/installed"
	"github.com/pylock/pylock/lockfile"
	"github.com/pylock/pylock/pypi/pep508"
)

// TestRunInstalledEnvUniversal: a universal lock records no target, so
// audit --python evaluates package markers with the interpreter's own
// environment (Options.InstalledEnv): colorama, locked for Windows only, is
// not "locked but not installed" on Linux, and a Linux-only package that
// is missing still is. Without any marker environment (--site-packages)
// packages under a marker are not judged, and the report says so.
func TestRunInstalledEnvUniversal(t *testing.T) {
	root := t.TempDir()
	di := filepath.Join(root, "click-8.1.7.dist-info")
	if err := os.MkdirAll(di, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(di, "METADATA"), []byte("Name: click\nVersion: 8.1.7\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	inst, err := installed.ReadSitePackages(root)
	if err != nil {
		t.Fatal(err)
	}
	l := &lockfile.Lock{LockVersion: "1.0", CreatedBy: "pylock", Packages: []lockfile.Package{
		{Name: "click", Version: "8.1.7"},
		{Name: "colorama", Version: "0.4.6", Marker: `platform_system == "Windows"`},
		{Name: "uvloop", Version: "0.19.0", Marker: `sys_platform == "linux"`},
	}}
	linux := pep508.Env{"sys_platform": "linux", "platform_system": "Linux", "python_version": "3.11",
		"python_full_version": "3.11.7", "implementation_name": "cpython", "platform_machine": "x86_64", "os_name": "posix"}
	missing := func(env pep508.Env) []string {
		r, err := Run(context.Background(), Options{LockPath: "pylock.toml", Lock: l, Installed: inst, InstalledEnv: env, Rules: []Rule{}})
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, f := range r.Findings {
			if f.Kind == KindMissing {
				out = append(out, f.Package)
			}
		}
		return out
	}
	if got := strings.Join(missing(linux), ","); got != "uvloop" {
		t.Errorf("with the interpreter's markers (linux), missing = %q, want uvloop only", got)
	}
	// Without a marker environment (--site-packages, no target) packages
	// under a marker cannot be judged: not reported, and the report says so.
	if got := strings.Join(missing(nil), ","); got != "" {
		t.Errorf("without markers, missing = %q, want none reported", got)
	}
	r, err := Run(context.Background(), Options{LockPath: "pylock.toml", Lock: l, Installed: inst, Rules: []Rule{}})
	if err != nil || !strings.Contains(strings.Join(r.Skipped, "\n"), "package markers not evaluated") {
		t.Errorf("skipped = %q (%v), want the markers note", r.Skipped, err)
	}
}
