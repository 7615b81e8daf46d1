package reqfile

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/pylock/pylock/pypi/names"
	"github.com/pylock/pylock/pypi/pep508"
	"github.com/pylock/pylock/pypi/wheel"
)

// RefKind is the kind of artifact a direct reference names (the three
// PEP 751 package sources besides an index).
type RefKind string

// The kinds of direct reference.
const (
	RefArchive   RefKind = "archive"   // a wheel or sdist file, local or at a URL
	RefDirectory RefKind = "directory" // a local project directory
	RefVCS       RefKind = "vcs"       // a version-control repository (git)
)

// DirectRef is a requirement's direct reference in structured form: a URL
// requirement ("name @ https://…", "git+https://…@v1#egg=name"), a local
// path ("./pkg", "../dist/x-1.0.tar.gz", a file: URL) or an editable
// (-e PATH). Relative paths are already joined to the directory of the file
// that names them.
type DirectRef struct {
	Kind RefKind
	// URL is the remote location: for an archive its http(s) URL without
	// the fragment; for VCS the repository URL without the "git+" prefix,
	// the "@ref" and the fragment ("https://host/org/repo.git",
	// "file:///srv/repo"). "" for local archives and directories.
	URL string
	// Path is a local archive or directory: absolute, or relative to the
	// working directory (the naming file's directory joined in). "" for
	// remote archives and VCS.
	Path string
	// VCS is the version control system ("git") of a RefVCS.
	VCS string
	// Ref is the requested revision written after "@" (a tag, branch or
	// commit); "" for the repository's default branch.
	Ref string
	// Subdirectory is the project's directory inside the archive or
	// repository ("#subdirectory="), "" for its root.
	Subdirectory string
	// Editable is set for -e/--editable (directories and VCS; pip
	// installs an editable VCS requirement from a clone).
	Editable bool
	// Hashes are "alg:hex" digests the archive must match: the URL's
	// "#sha256=" fragment, then --hash options.
	Hashes []string
}

// String renders the reference the way pip reads it back: a URL
// ("git+https://host/repo@v1#subdirectory=sub", "https://host/x.whl") or
// the local path, with "-e " in front of an editable.
func (d *DirectRef) String() string {
	var s string
	switch {
	case d.Kind == RefVCS:
		s = d.VCS + "+" + d.URL
		if d.Ref != "" {
			s += "@" + d.Ref
		}
	case d.URL != "":
		s = d.URL
	default:
		s = d.Path
	}
	if d.Subdirectory != "" {
		s += "#subdirectory=" + d.Subdirectory
	}
	if d.Editable {
		s = "-e " + s
	}
	return s
}

// supportedVCS are the version control systems pylock drives.
var supportedVCS = map[string]bool{"git": true}

// vcsTransports are the transports allowed after "git+".
var vcsTransports = map[string]bool{"https": true, "http": true, "ssh": true, "file": true, "git": true}

// knownVCS are pip's version control systems (for a clear error).
var knownVCS = map[string]bool{"git": true, "hg": true, "svn": true, "bzr": true}

// directRef fills e.Direct from e's target (its URL or local path) when it
// is a direct reference; dir is the directory relative paths are joined to.
// It also fills the requirement's name when the target tells it (#egg=, a
// wheel or sdist file name).
func directRef(e *Entry, dir string) error {
	target := e.Requirement.URL
	if target == "" && !e.LocalPath && !e.Editable {
		return nil
	}
	if target == "" {
		target = strings.TrimSpace(e.Raw)
		if !e.Editable && !hasURLScheme(target) {
			t, marker, ok := strings.Cut(target, ";")
			target = strings.TrimSpace(t)
			if ok && strings.TrimSpace(marker) != "" {
				m, err := pep508.ParseMarker(strings.TrimSpace(marker))
				if err != nil {
					return fmt.Errorf("invalid marker %q: %w", strings.TrimSpace(marker), err)
				}
				e.Requirement.Marker = m
			}
		}
	}
	d, extras, err := ParseDirectRef(target, dir)
	if err != nil {
		return err
	}
	if e.Editable {
		if d.Kind == RefArchive {
			return fmt.Errorf("an editable requirement must be a project directory or repository, not %s %q (drop -e)", kindText(d.Kind), target)
		}
		d.Editable = true
	}
	d.Hashes = append(d.Hashes, e.Hashes...)
	if len(d.Hashes) > 0 && d.Kind != RefArchive {
		return fmt.Errorf("a hash applies to archive files only, not to %s", kindText(d.Kind))
	}
	if len(extras) > 0 && len(e.Requirement.Extras) == 0 {
		e.Requirement.Extras = extras
	}
	if e.Requirement.Name == "" {
		e.Requirement.Name = refName(target, d)
	}
	e.Direct = d
	return nil
}

func kindText(k RefKind) string {
	switch k {
	case RefArchive:
		return "an archive"
	case RefVCS:
		return "a VCS URL"
	}
	return "a directory"
}

// refName is the project name the reference tells without reading it: the
// "#egg=" fragment, else a wheel or sdist file name's name.
func refName(target string, d *DirectRef) string {
	if n := urlName(target); n != "" {
		return n
	}
	if d.Kind != RefArchive {
		return ""
	}
	base := path.Base(filepath.ToSlash(d.Path))
	if d.URL != "" {
		base = path.Base(d.URL)
		if p, err := url.PathUnescape(base); err == nil {
			base = p
		}
	}
	if f, err := wheel.ParseSdistFilename(base); err == nil {
		return f.Name
	}
	return ""
}

// hasURLScheme reports whether s starts with "scheme:" followed by "//" or
// is a URL pip knows.
func hasURLScheme(s string) bool {
	if scheme(s) != "" {
		return true
	}
	i := strings.Index(s, "://")
	if i <= 0 {
		return false
	}
	for _, r := range s[:i] {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '+' || r == '-' || r == '.') {
			return false
		}
	}
	return true
}

// ParseDirectRef parses the target of a direct reference: a URL (archive,
// file: or VCS) or a local path, with an optional "[extras]" after a path.
// dir is the directory relative paths are joined to ("" or "." for the
// working directory). It returns the extras written after a local path.
// The file system is not consulted; see CheckDirect.
func ParseDirectRef(target, dir string) (*DirectRef, []string, error) {
	if target == "" {
		return nil, nil, errors.New("empty direct reference")
	}
	if hasURLScheme(target) || strings.HasPrefix(strings.ToLower(target), "file:") {
		d, err := parseRefURL(target, dir)
		return d, nil, err
	}
	p, extras, err := splitPathExtras(target)
	if err != nil {
		return nil, nil, err
	}
	return localRef(joinDir(dir, filepath.FromSlash(p)), ""), extras, nil
}

// splitPathExtras splits "./pkg[a,b]" into the path and its extras.
func splitPathExtras(s string) (string, []string, error) {
	p := stripExtras(s)
	if p == s {
		return s, nil, nil
	}
	var extras []string
	for _, x := range strings.Split(s[len(p)+1:len(s)-1], ",") {
		x = strings.TrimSpace(x)
		if names.Validate(x) != nil {
			return "", nil, fmt.Errorf("invalid extra %q after path %q", x, p)
		}
		extras = append(extras, x)
	}
	return p, extras, nil
}

func joinDir(dir, p string) string {
	if filepath.IsAbs(p) || dir == "" || dir == "." {
		return filepath.Clean(p)
	}
	return filepath.Join(dir, p)
}

// localRef classifies a local path by its name: an archive when it has an
// archive extension, else a directory.
func localRef(p, sub string) *DirectRef {
	if isArchive(p) {
		return &DirectRef{Kind: RefArchive, Path: p, Subdirectory: sub}
	}
	return &DirectRef{Kind: RefDirectory, Path: p, Subdirectory: sub}
}

// fragment holds the keys of a URL fragment pylock knows.
type fragment struct {
	egg, subdirectory string
	hashes            []string
}

func parseFragment(frag string) (fragment, error) {
	var f fragment
	if frag == "" {
		return f, nil
	}
	for _, kv := range strings.Split(frag, "&") {
		k, v, _ := strings.Cut(kv, "=")
		switch k {
		case "egg":
			f.egg = v
		case "subdirectory":
			sub, err := cleanSubdirectory(v)
			if err != nil {
				return f, err
			}
			f.subdirectory = sub
		case "sha256", "sha384", "sha512":
			// Not checked further: a wrong digest fails when the bytes
			// are hashed, with both digests in the message.
			f.hashes = append(f.hashes, k+":"+strings.ToLower(v))
		case "md5", "sha1", "sha224":
			return f, fmt.Errorf("URL fragment %q: hash algorithm %s not allowed (use sha256, sha384 or sha512)", kv, k)
		}
	}
	return f, nil
}

// cleanSubdirectory checks a "#subdirectory=" value: relative, inside.
func cleanSubdirectory(v string) (string, error) {
	if u, err := url.PathUnescape(v); err == nil {
		v = u
	}
	c := path.Clean(strings.ReplaceAll(v, `\`, "/"))
	if v == "" || path.IsAbs(c) || c == ".." || strings.HasPrefix(c, "../") || filepath.IsAbs(v) {
		return "", fmt.Errorf("subdirectory %q must be a relative path inside the project", v)
	}
	if c == "." {
		return "", nil
	}
	return c, nil
}

// parseRefURL parses a URL target: "git+…", "https://…", "file:…".
func parseRefURL(target, dir string) (*DirectRef, error) {
	base, frag, _ := strings.Cut(target, "#")
	f, err := parseFragment(frag)
	if err != nil {
		return nil, err
	}
	sc, _, _ := strings.Cut(base, ":")
	sc = strings.ToLower(sc)
	if vcs, transport, ok := strings.Cut(sc, "+"); ok {
		return vcsRef(vcs, transport, base[len(sc)+1:], f)
	}
	switch sc {
	case "http", "https":
		u, err := url.Parse(base)
		if err != nil || u.Host == "" {
			return nil, fmt.Errorf("invalid URL %q", base)
		}
		if !isArchive(u.Path) {
			return nil, fmt.Errorf("URL %q does not name an archive (.whl, .tar.gz, .zip, …); use git+%s for a git repository", base, base)
		}
		return &DirectRef{Kind: RefArchive, URL: base, Subdirectory: f.subdirectory, Hashes: f.hashes}, nil
	case "file":
		p, err := filePath(base)
		if err != nil {
			return nil, err
		}
		d := localRef(joinDir(dir, p), f.subdirectory)
		d.Hashes = f.hashes
		return d, nil
	case "git", "hg", "svn", "bzr":
		return nil, fmt.Errorf("unsupported URL scheme %q: write %s+https://… (or +ssh, +file)", sc, sc)
	}
	return nil, fmt.Errorf("unknown URL scheme %q (pylock reads https://, http://, file: and git+https://, git+ssh://, git+http://, git+file:// URLs)", sc)
}

// filePath converts a file: URL to a local path. "file:///abs", and the
// relative forms "file:rel" and "file:./rel" pip accepts, are allowed.
func filePath(s string) (string, error) {
	rest := s[len("file:"):]
	if !strings.HasPrefix(rest, "//") { // file:rel, file:/abs
		p, err := url.PathUnescape(rest)
		if err != nil || p == "" {
			return "", fmt.Errorf("invalid file URL %q", s)
		}
		return filepath.FromSlash(p), nil
	}
	u, err := url.Parse(s)
	if err != nil {
		return "", fmt.Errorf("invalid file URL %q: %w", s, errors.Unwrap(err))
	}
	if u.Host != "" && u.Host != "localhost" {
		return "", fmt.Errorf("file URL %q names host %q; only local files can be read", s, u.Host)
	}
	if u.Path == "" {
		return "", fmt.Errorf("file URL %q has no path", s)
	}
	return filepath.FromSlash(u.Path), nil
}

// vcsRef parses "vcs+transport:rest" (rest after the colon).
func vcsRef(vcs, transport, rest string, f fragment) (*DirectRef, error) {
	switch {
	case !knownVCS[vcs]:
		return nil, fmt.Errorf("unknown version control system %q in URL scheme %q (pylock supports git+https, git+ssh, git+http, git+file)", vcs, vcs+"+"+transport)
	case !supportedVCS[vcs]:
		return nil, fmt.Errorf("%s repositories are not supported (pylock drives git only)", vcs)
	case !vcsTransports[transport]:
		return nil, fmt.Errorf("unknown URL scheme %q (pylock supports git+https, git+ssh, git+http, git+file)", vcs+"+"+transport)
	case len(f.hashes) > 0:
		return nil, errors.New("a hash cannot check a VCS checkout; pin the commit instead (name @ git+…@<commit-id>)")
	}
	if !strings.HasPrefix(rest, "//") {
		return nil, fmt.Errorf("invalid %s URL %q: want %s://host/path", vcs, vcs+"+"+transport+":"+rest, vcs+"+"+transport)
	}
	// The revision is after the last "@" of the path; an "@" in the host
	// part is a user name (git+ssh://git@host/repo).
	hostEnd := strings.IndexByte(rest[2:], '/')
	if hostEnd < 0 {
		return nil, fmt.Errorf("invalid %s URL %q: no repository path", vcs, transport+":"+rest)
	}
	hostEnd += 2
	repo, ref := rest, ""
	if i := strings.LastIndexByte(rest[hostEnd:], '@'); i >= 0 {
		repo, ref = rest[:hostEnd+i], rest[hostEnd+i+1:]
		if ref == "" {
			return nil, fmt.Errorf("empty revision after \"@\" in %q", vcs+"+"+transport+":"+rest)
		}
	}
	u, err := url.Parse(transport + ":" + repo)
	if err != nil {
		return nil, fmt.Errorf("invalid %s URL %q: %w", vcs, transport+":"+repo, errors.Unwrap(err))
	}
	if transport != "file" && u.Host == "" {
		return nil, fmt.Errorf("invalid %s URL %q: no host", vcs, transport+":"+repo)
	}
	if strings.ContainsAny(ref, " \t~^:?*[\\") || strings.HasPrefix(ref, "-") {
		return nil, fmt.Errorf("invalid revision %q", ref)
	}
	return &DirectRef{Kind: RefVCS, VCS: vcs, URL: transport + ":" + repo, Ref: ref, Subdirectory: f.subdirectory}, nil
}

// CheckDirect checks a local reference on disk: an archive must be a file;
// a directory must be a Python project (holding pyproject.toml, setup.py or
// setup.cfg, in its subdirectory when one is given). Remote references pass.
func CheckDirect(d *DirectRef) error {
	if d == nil || d.Path == "" {
		return nil
	}
	fi, err := os.Stat(d.Path)
	if err != nil {
		return fmt.Errorf("%s: %w", d.Path, unwrapPathError(err))
	}
	if d.Kind == RefArchive {
		if fi.IsDir() {
			return fmt.Errorf("%s is a directory, not an archive file", d.Path)
		}
		return nil
	}
	if !fi.IsDir() {
		return fmt.Errorf("%s is not a directory nor an archive (.whl, .tar.gz, .zip)", d.Path)
	}
	root := filepath.Join(d.Path, filepath.FromSlash(d.Subdirectory))
	for _, f := range []string{"pyproject.toml", "setup.py", "setup.cfg"} {
		if _, err := os.Stat(filepath.Join(root, f)); err == nil {
			return nil
		}
	}
	return fmt.Errorf("%s is not a Python project (no pyproject.toml, setup.py or setup.cfg)", root)
}
