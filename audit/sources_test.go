package audit

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pylock/pylock/internal/testenv"
	"github.com/pylock/pylock/lockfile"
	"github.com/pylock/pylock/pypi/sdist"
	"github.com/pylock/pylock/pypi/vcs"
)

func sha(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func TestCheckSources(t *testing.T) {
	root := t.TempDir()
	write := func(p, c string) {
		full := filepath.Join(root, filepath.FromSlash(p))
		os.MkdirAll(filepath.Dir(full), 0o755)
		if err := os.WriteFile(full, []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// A git repository with a tag and a branch.
	repo := filepath.Join(root, "repo")
	os.MkdirAll(repo, 0o755)
	testenv.Git(t, repo, "init", "--quiet", "--initial-branch=main")
	write("repo/a.txt", "1")
	testenv.Git(t, repo, "add", "-A")
	testenv.Git(t, repo, "commit", "--quiet", "-m", "one")
	testenv.Git(t, repo, "tag", "v1")
	testenv.Git(t, repo, "tag", "gone")
	c1 := testenv.Git(t, repo, "rev-parse", "HEAD")
	repoURL := "file://" + filepath.ToSlash(repo)
	// A project directory and archives.
	write("lock/proj/pyproject.toml", "[project]\nname='proj'\n")
	write("lock/dist/x-1.0.tar.gz", "sdist bytes")
	tree, err := sdist.TreeHash(filepath.Join(root, "lock", "proj"))
	if err != nil {
		t.Fatal(err)
	}
	remote := []byte("wheel bytes")
	l := &lockfile.Lock{Packages: []lockfile.Package{
		{Name: "proj", Directory: lockfile.DirectorySource{Path: "proj", Editable: true}.Table()},
		{Name: "tagged", VCS: lockfile.VCSSource{Type: "git", URL: repoURL, RequestedRevision: "v1", CommitID: c1}.Table()},
		{Name: "branch", VCS: lockfile.VCSSource{Type: "git", URL: repoURL, RequestedRevision: "main", CommitID: c1}.Table()},
		{Name: "deleted", VCS: lockfile.VCSSource{Type: "git", URL: repoURL, RequestedRevision: "gone", CommitID: c1}.Table()},
		{Name: "pinned", VCS: lockfile.VCSSource{Type: "git", URL: repoURL, RequestedRevision: c1, CommitID: c1}.Table()},
		{Name: "x", Version: "1.0", Archive: &lockfile.Artifact{Path: "dist/x-1.0.tar.gz", Hashes: map[string]string{"sha256": sha([]byte("sdist bytes"))}}},
		{Name: "y", Version: "2.0", Archive: &lockfile.Artifact{URL: "https://h.example/y-2.0-py3-none-any.whl", Hashes: map[string]string{"sha256": sha(remote)}}},
	}}
	l.Packages[0].SetTreeHash(tree)
	o := SourceOptions{
		LockDir: filepath.Join(root, "lock"),
		Git:     &vcs.Git{CacheDir: t.TempDir()},
		Fetch:   func(ctx context.Context, url string) ([]byte, error) { return remote, nil },
	}
	ctx := context.Background()
	f, err := CheckSources(ctx, l, o)
	if err != nil || len(f) != 0 {
		t.Fatalf("fresh lock: %v, %+v", err, f)
	}

	// Now everything drifts.
	write("lock/proj/src/proj/new.py", "")
	write("repo/a.txt", "2")
	testenv.Git(t, repo, "commit", "--quiet", "-am", "two")
	testenv.Git(t, repo, "tag", "-f", "v1")
	testenv.Git(t, repo, "tag", "-d", "gone")
	write("lock/dist/x-1.0.tar.gz", "tampered")
	remote = []byte("other wheel")
	f, err = CheckSources(ctx, l, o)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, x := range f {
		if x.Kind != KindSourceDrift {
			t.Errorf("kind %s", x.Kind)
		}
		got[x.Package] = x.Severity.String() + ": " + x.Message
	}
	for pkg, want := range map[string]string{
		"proj":    "warning: directory proj changed since the lock",
		"tagged":  "warning: revision v1 of " + repoURL + " now points to",
		"branch":  "warning: revision main of " + repoURL + " now points to",
		"deleted": "warning: revision gone of " + repoURL + " no longer exists",
		"x":       "error: archive dist/x-1.0.tar.gz changed: sha256",
		"y":       "error: archive https://h.example/y-2.0-py3-none-any.whl changed",
	} {
		if !strings.HasPrefix(got[pkg], want) {
			t.Errorf("%s: got %q, want it to start with %q", pkg, got[pkg], want)
		}
	}
	if _, ok := got["pinned"]; ok || len(got) != 6 {
		t.Errorf("findings %v; a commit-pinned revision cannot drift", got)
	}
	// Offline (no Fetch, no Git): local checks only.
	f, err = CheckSources(ctx, l, SourceOptions{LockDir: o.LockDir})
	if err != nil || len(f) != 2 {
		t.Errorf("offline: %v, %+v (want the directory and the local archive)", err, f)
	}
}
