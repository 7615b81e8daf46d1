package envsync

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/pylock/pylock/audit/installed"
	"github.com/pylock/pylock/lockfile"
)

// TestNeedBySource: packages are compared by version and by source (PEP
// 610 direct_url.json against the lock's vcs/directory/archive source).
func TestNeedBySource(t *testing.T) {
	lockDir := t.TempDir()
	abs := func(rel string) string { return "file://" + filepath.ToSlash(filepath.Join(lockDir, rel)) }
	const commit = "0123456789abcdef0123456789abcdef01234567"
	sha := strings.Repeat("a", 64)
	editable := lockfile.Package{Name: "app", Directory: lockfile.DirectorySource{Path: "app", Editable: true}.Table()}
	editable.SetTreeVersion("0.1")
	oldLock := lockfile.Package{Name: "app", Directory: lockfile.DirectorySource{Path: "app", Editable: true}.Table()}
	plainDir := lockfile.Package{Name: "app", Directory: lockfile.DirectorySource{Path: "app"}.Table()}
	plainDir.SetTreeVersion("0.1")
	vcsPkg := lockfile.Package{Name: "gp", Version: "1.0", VCS: lockfile.VCSSource{Type: "git", URL: "https://h/r", CommitID: commit}.Table()}
	urlPkg := lockfile.Package{Name: "up", Version: "2.0", Archive: &lockfile.Artifact{URL: "https://h/up-2.0-py3-none-any.whl", Hashes: map[string]string{"sha256": sha}}}
	pathPkg := lockfile.Package{Name: "vp", Version: "1.0", Archive: &lockfile.Artifact{Path: "vendor/vp-1.0.tar.gz", Hashes: map[string]string{"sha256": sha}}}
	idxPkg := lockfile.Package{Name: "ip", Version: "3.0"}

	for _, c := range []struct {
		name    string
		p       lockfile.Package
		version string
		src     *installed.DirectURL
		want    string // "" = nothing to do, else Action.String() must contain it
	}{
		{"editable, same dir", editable, "0.1", &installed.DirectURL{URL: abs("app"), Dir: true, Editable: true}, ""},
		{"editable, new version", editable, "0.0", &installed.DirectURL{URL: abs("app"), Dir: true, Editable: true}, "change app 0.0 -> 0.1"},
		{"editable, other dir", editable, "0.1", &installed.DirectURL{URL: abs("other"), Dir: true, Editable: true}, "not installed as editable from app"},
		{"editable, installed non-editable", editable, "0.1", &installed.DirectURL{URL: abs("app"), Dir: true}, "not installed as editable"},
		{"editable, from the index", editable, "0.1", nil, "not installed as editable"},
		{"editable, lock without a version", oldLock, "7", &installed.DirectURL{URL: abs("app"), Dir: true, Editable: true}, ""},
		{"non-editable directory", plainDir, "0.1", &installed.DirectURL{URL: abs("app"), Dir: true}, "reinstalled on every sync"},
		{"vcs, locked commit", vcsPkg, "1.0", &installed.DirectURL{URL: "https://h/r", VCS: "git", CommitID: commit}, ""},
		{"vcs, other commit", vcsPkg, "1.0", &installed.DirectURL{URL: "https://h/r", VCS: "git", CommitID: strings.Repeat("f", 40)}, "not installed from commit 0123456789ab"},
		{"vcs, from the index", vcsPkg, "1.0", nil, "not installed from commit"},
		{"url archive, same URL", urlPkg, "2.0", &installed.DirectURL{URL: urlPkg.Archive.URL}, ""},
		{"url archive, same hash", urlPkg, "2.0", &installed.DirectURL{URL: "https://mirror/up.whl", ArchiveHash: "sha256=" + sha}, ""},
		{"url archive, other hash", urlPkg, "2.0", &installed.DirectURL{URL: urlPkg.Archive.URL, ArchiveHash: "sha256=" + strings.Repeat("b", 64)}, "other bytes"},
		{"url archive, other URL", urlPkg, "2.0", &installed.DirectURL{URL: "https://h/elsewhere.whl"}, "not installed from up-2.0"},
		{"url archive, from the index", urlPkg, "2.0", nil, "not installed from"},
		{"local archive, same file", pathPkg, "1.0", &installed.DirectURL{URL: abs("vendor/vp-1.0.tar.gz")}, ""},
		{"local archive, other file", pathPkg, "1.0", &installed.DirectURL{URL: abs("vp-1.0.tar.gz")}, "not installed from vendor/vp-1.0.tar.gz"},
		{"index package from the index", idxPkg, "3.0", nil, ""},
		{"index package from a URL", idxPkg, "3.0", &installed.DirectURL{URL: "https://h/ip.whl"}, "locked from an index"},
		{"index package from a directory", idxPkg, "3.0", &installed.DirectURL{URL: abs("ip"), Dir: true}, "locked from an index"},
	} {
		t.Run(c.name, func(t *testing.T) {
			name := c.p.Name
			env := &installed.Env{Dists: map[string]*installed.Dist{name: {Name: name, Version: c.version, DirectURL: c.src}}}
			a, ok := need(&c.p, env, lockDir)
			switch {
			case c.want == "" && ok:
				t.Errorf("needs %s, want nothing", a)
			case c.want != "" && (!ok || !strings.Contains(a.String(), c.want)):
				t.Errorf("got %q (%v), want %q", a.String(), ok, c.want)
			}
		})
	}
	// Not installed at all: a directory's install says no version.
	a, _ := need(&oldLock, &installed.Env{Dists: map[string]*installed.Dist{}}, lockDir)
	if a.String() != "install app" {
		t.Errorf("install of a versionless directory: %q", a)
	}
}
