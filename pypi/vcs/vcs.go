// Package vcs drives git, through the git binary, for direct references to
// repositories: it resolves a requested revision (tag, branch, short or full
// commit id, or the default branch) to its full commit id and checks a
// commit out into a cache directory.
//
// Repositories are mirrored as bare repositories under
// CacheDir/repos/<hash of the URL>; checkouts are extracted with
// "git archive" under CacheDir/checkouts/<commit>-<hash of the URL>, are
// immutable once complete, and hold no .git directory. Every git command
// runs with the caller's context, no terminal prompt (GIT_TERMINAL_PROMPT=0)
// and the C locale.
//
// Deliberate limits: git only (no hg, svn, bzr); submodules are not
// checked out; concurrent use of one CacheDir is safe within a process (a
// lock per repository), not across processes.
package vcs

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
)

// Git runs git for one cache directory. The zero value is not usable: set
// CacheDir.
type Git struct {
	// CacheDir holds mirrors and checkouts.
	CacheDir string
	// Binary is the git executable ("git" when empty).
	Binary string
}

// RefNotFoundError is a requested revision the repository does not have.
type RefNotFoundError struct {
	URL, Ref string
}

func (e *RefNotFoundError) Error() string {
	return fmt.Sprintf("git repository %s has no branch, tag or commit %q", e.URL, e.Ref)
}

// CommandError is a git command that failed, with the tail of its output.
type CommandError struct {
	Args   []string
	Output string
	Err    error
}

func (e *CommandError) Error() string {
	msg := fmt.Sprintf("git %s: %v", strings.Join(e.Args, " "), e.Err)
	if out := strings.TrimSpace(e.Output); out != "" {
		msg += ": " + lastLines(out, 5)
	}
	return msg
}

func (e *CommandError) Unwrap() error { return e.Err }

func lastLines(s string, n int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "; ")
}

var locks sync.Map // directory -> *sync.Mutex

func lock(dir string) func() {
	m, _ := locks.LoadOrStore(dir, &sync.Mutex{})
	mu := m.(*sync.Mutex)
	mu.Lock()
	return mu.Unlock
}

func urlKey(url string) string {
	s := sha256.Sum256([]byte(url))
	return hex.EncodeToString(s[:8])
}

// run runs git with args in dir ("" for the current directory) and returns
// its standard output.
func (g *Git) run(ctx context.Context, dir string, args ...string) ([]byte, error) {
	bin := g.Binary
	if bin == "" {
		bin = "git"
	}
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_TERMINAL_PROMPT=0", "LC_ALL=C", "GIT_CONFIG_NOSYSTEM=1")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if errors.Is(err, exec.ErrNotFound) {
			return nil, fmt.Errorf("git is needed for VCS requirements: %w", err)
		}
		return nil, &CommandError{Args: args, Output: stderr.String(), Err: err}
	}
	return stdout.Bytes(), nil
}

// IsCommitID reports whether s is a full commit id (40 or 64 lowercase hex
// digits).
func IsCommitID(s string) bool {
	return (len(s) == 40 || len(s) == 64) && isHex(s)
}

func isHex(s string) bool {
	return s != "" && strings.Trim(s, "0123456789abcdef") == ""
}

// Resolve returns the full commit id that ref names in the repository at
// url: a tag (annotated tags are peeled), a branch, a full or abbreviated
// commit id, another ref name ("refs/pull/1/head"), or the default branch
// (HEAD) when ref is "". A revision the repository does not have is a
// *RefNotFoundError.
func (g *Git) Resolve(ctx context.Context, url, ref string) (string, error) {
	if strings.HasPrefix(ref, "-") {
		return "", &RefNotFoundError{URL: url, Ref: ref}
	}
	if !IsCommitID(ref) {
		out, err := g.run(ctx, "", "ls-remote", "--", url)
		if err != nil {
			return "", fmt.Errorf("listing %s: %w", url, err)
		}
		if id := matchRef(string(out), ref); id != "" {
			return id, nil
		}
		if !isHex(ref) || len(ref) < 4 {
			return "", &RefNotFoundError{URL: url, Ref: ref}
		}
	}
	// A commit id: fetch the repository and ask it.
	mirror, err := g.fetch(ctx, url, ref)
	if err != nil {
		return "", err
	}
	out, err := g.run(ctx, mirror, "rev-parse", "--verify", "--quiet", "--end-of-options", ref+"^{commit}")
	if err != nil {
		return "", &RefNotFoundError{URL: url, Ref: ref}
	}
	return strings.TrimSpace(string(out)), nil
}

// matchRef finds ref in ls-remote output: HEAD for "", then a peeled tag,
// a tag, a branch, and the full ref name.
func matchRef(lsRemote, ref string) string {
	ids := map[string]string{}
	for _, line := range strings.Split(lsRemote, "\n") {
		id, name, ok := strings.Cut(strings.TrimSpace(line), "\t")
		if ok {
			ids[name] = id
		}
	}
	if ref == "" {
		return ids["HEAD"]
	}
	for _, name := range []string{"refs/tags/" + ref + "^{}", "refs/tags/" + ref, "refs/heads/" + ref, ref + "^{}", ref} {
		if id := ids[name]; id != "" {
			return id
		}
	}
	return ""
}

// fetch brings the repository's branches and tags (and want, when it is a
// commit id the server lets us fetch directly) into its bare mirror and
// returns the mirror's path.
func (g *Git) fetch(ctx context.Context, url, want string) (string, error) {
	if g.CacheDir == "" {
		return "", errors.New("vcs: no cache directory")
	}
	mirror := filepath.Join(g.CacheDir, "repos", urlKey(url))
	unlock := lock(mirror)
	defer unlock()
	if _, err := os.Stat(filepath.Join(mirror, "HEAD")); err != nil {
		if err := os.MkdirAll(mirror, 0o755); err != nil {
			return "", err
		}
		if _, err := g.run(ctx, mirror, "init", "--bare", "--quiet"); err != nil {
			return "", err
		}
	}
	if want != "" && g.has(ctx, mirror, want) {
		return mirror, nil
	}
	if _, err := g.run(ctx, mirror, "fetch", "--quiet", "--force", "--prune", "--", url,
		"+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*"); err != nil {
		return "", fmt.Errorf("fetching %s: %w", url, err)
	}
	if IsCommitID(want) && !g.has(ctx, mirror, want) {
		// Not on a branch or tag: servers may still serve it by id.
		_, _ = g.run(ctx, mirror, "fetch", "--quiet", "--", url, want)
	}
	return mirror, nil
}

// has reports whether the mirror holds commit rev.
func (g *Git) has(ctx context.Context, mirror, rev string) bool {
	_, err := g.run(ctx, mirror, "cat-file", "-e", "--end-of-options", rev+"^{commit}")
	return err == nil
}

// Checkout returns a directory holding the tree of commit (a full commit
// id) of the repository at url, and the project directory inside it
// (subdir joined, "" for the root). The directory is cached and must not be
// modified. A subdirectory the commit does not have is an error.
func (g *Git) Checkout(ctx context.Context, url, commit, subdir string) (string, error) {
	if !IsCommitID(commit) {
		return "", fmt.Errorf("vcs: %q is not a full commit id", commit)
	}
	dst := filepath.Join(g.CacheDir, "checkouts", commit+"-"+urlKey(url))
	if err := g.extract(ctx, url, commit, dst); err != nil {
		return "", err
	}
	dir := filepath.Join(dst, filepath.FromSlash(subdir))
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return "", fmt.Errorf("%s at %s has no subdirectory %q", url, commit, subdir)
	}
	return dir, nil
}

// extract writes commit's tree to dst once (dst appears complete or not at
// all: it is renamed into place).
func (g *Git) extract(ctx context.Context, url, commit, dst string) error {
	unlock := lock(dst)
	defer unlock()
	if _, err := os.Stat(dst); err == nil {
		return nil
	}
	mirror, err := g.fetch(ctx, url, commit)
	if err != nil {
		return err
	}
	if !g.has(ctx, mirror, commit) {
		return &RefNotFoundError{URL: url, Ref: commit}
	}
	out, err := g.run(ctx, mirror, "archive", "--format=tar", commit)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp(filepath.Dir(dst), ".tmp-"+commit[:12]+"-")
	if err != nil {
		return err
	}
	if err := untar(bytes.NewReader(out), tmp); err != nil {
		os.RemoveAll(tmp)
		return fmt.Errorf("extracting %s at %s: %w", url, commit, err)
	}
	if err := os.Rename(tmp, dst); err != nil {
		os.RemoveAll(tmp)
		return err
	}
	return nil
}

// untar extracts a git archive into dir: regular files, directories and
// symbolic links whose targets stay inside dir.
func untar(r io.Reader, dir string) error {
	tr := tar.NewReader(r)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		name := filepath.Clean(filepath.FromSlash(h.Name))
		if !filepath.IsLocal(name) {
			if h.Typeflag == tar.TypeXGlobalHeader {
				continue
			}
			return fmt.Errorf("unsafe path %q in archive", h.Name)
		}
		p := filepath.Join(dir, name)
		switch h.Typeflag {
		case tar.TypeDir:
			if err := os.MkdirAll(p, 0o755); err != nil {
				return err
			}
		case tar.TypeReg:
			if err := writeFile(p, tr, h.FileInfo().Mode().Perm()); err != nil {
				return err
			}
		case tar.TypeSymlink:
			target := filepath.Join(filepath.Dir(name), filepath.FromSlash(h.Linkname))
			if filepath.IsAbs(h.Linkname) || !filepath.IsLocal(target) {
				continue // points outside the checkout: left out
			}
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				return err
			}
			if err := os.Symlink(h.Linkname, p); err != nil {
				return err
			}
		}
	}
}

func writeFile(p string, r io.Reader, perm os.FileMode) error {
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	f, err := os.OpenFile(p, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, perm|0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, r); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
