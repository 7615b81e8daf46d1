package reqfile

import (
	"errors"
	"fmt"
	"net/url"
	"path"
	"strings"
	"sync"

	"github.com/pylock/pylock/pypi/names"
	"github.com/pylock/pylock/pypi/pep508"
)

// urlSchemes are the schemes pip's is_url accepts: http, https, file, ftp
// and the VCS schemes.
// (Built on first use, not at start-up.)
var urlSchemes = sync.OnceValue(func() map[string]bool {
	m := map[string]bool{"http": true, "https": true, "file": true, "ftp": true}
	for _, vcs := range []string{"git", "hg", "svn", "bzr"} {
		m[vcs] = true
		for _, s := range []string{"http", "https", "ssh", "file", "git", "svn", "static-http", "ftp", "sftp"} {
			m[vcs+"+"+s] = true
		}
	}
	return m
})

// scheme returns the lower-cased URL scheme of s if pip would take s for a
// URL (is_url), else "".
func scheme(s string) string {
	i := strings.IndexByte(s, ':')
	if i < 0 {
		return ""
	}
	sc := strings.ToLower(s[:i])
	if urlSchemes()[sc] {
		return sc
	}
	return ""
}

// archiveExts are pip's ARCHIVE_EXTENSIONS.
var archiveExts = []string{".zip", ".whl", ".tar.bz2", ".tbz", ".tar.xz", ".txz", ".tlz", ".tar.lz", ".tar.lzma", ".tar.gz", ".tgz", ".tar"}

func isArchive(s string) bool {
	s = strings.ToLower(s)
	for _, ext := range archiveExts {
		if strings.HasSuffix(s, ext) {
			return true
		}
	}
	return false
}

// looksLikePath is pip's _looks_like_path (both separators, as on Windows).
func looksLikePath(s string) bool {
	return strings.ContainsAny(s, `/\`) || strings.HasPrefix(s, ".")
}

// stripExtras removes a trailing "[...]" (pip's _strip_extras).
func stripExtras(s string) string {
	if strings.HasSuffix(s, "]") {
		if i := strings.LastIndexByte(s, '['); i > 0 && !strings.Contains(s[i+1:len(s)-1], "]") {
			return s[:i]
		}
	}
	return s
}

// classify parses e.Raw the way pip's install_req_from_line does, without
// looking at the file system, and fills e.Requirement and the flags.
func classify(e *Entry) error {
	raw := e.Raw
	if sc := scheme(raw); sc != "" {
		u, marker, _ := strings.Cut(raw, "; ")
		u = strings.TrimSpace(u)
		name := urlName(u)
		e.LocalPath = sc == "file"
		switch {
		case name == "" && e.LocalPath:
			e.Requirement.URL = u // a local file or directory: the caller decides
			return nil
		case name == "":
			return fmt.Errorf("cannot tell the project name from the URL; write it as \"name @ %s\"", u)
		}
		return parseReq(e, name+" @ "+u, marker)
	}
	spec, marker, _ := strings.Cut(raw, ";")
	spec = strings.TrimSpace(spec)
	if before, _, ok := strings.Cut(spec, "@"); ok && !looksLikePath(before) {
		err := parseReq(e, spec, marker)
		e.LocalPath = scheme(e.Requirement.URL) == "file"
		return err
	}
	if looksLikePath(spec) || isArchive(stripExtras(spec)) {
		e.LocalPath = true
		e.Requirement.Name = wheelName(path.Base(strings.ReplaceAll(stripExtras(spec), `\`, "/")))
		return nil
	}
	return parseReq(e, spec, marker)
}

// parseReq parses spec with the marker (pip splits the marker off first, so
// an empty marker after ";" is allowed).
func parseReq(e *Entry, spec, marker string) error {
	s := spec
	if m := strings.TrimSpace(marker); m != "" {
		s += " ; " + m
	}
	r, err := pep508.ParseRequirement(s)
	if err != nil {
		if strings.Contains(spec, "=") && !strings.ContainsAny(spec, "<>!~") && !strings.Contains(spec, "==") {
			err = fmt.Errorf("%w (= is not a valid operator; did you mean ==?)", err)
		}
		return err
	}
	e.Requirement = r
	return nil
}

// setTarget fills an editable entry from its target (a path or a URL).
func setTarget(e *Entry, target string) {
	sc := scheme(target)
	e.LocalPath = sc == "" || sc == "file"
	if sc != "" {
		e.Requirement.URL = target
	}
	e.Requirement.Name = urlName(target)
}

// urlName returns the project name a URL or path names: its "#egg=" fragment
// or, for a wheel, the file name's first field. "" when neither is valid.
func urlName(u string) string {
	base, frag, _ := strings.Cut(u, "#")
	for _, kv := range strings.FieldsFunc(frag, func(r rune) bool { return r == '&' }) {
		if v, ok := strings.CutPrefix(kv, "egg="); ok {
			if names.Validate(v) == nil {
				return v
			}
			return ""
		}
	}
	base, _, _ = strings.Cut(base, "?")
	if p, err := url.PathUnescape(path.Base(base)); err == nil {
		base = p
	} else {
		base = path.Base(base)
	}
	return wheelName(base)
}

// wheelName returns the project name of a wheel file name, or "".
func wheelName(file string) string {
	if !strings.HasSuffix(strings.ToLower(file), ".whl") {
		return ""
	}
	name, _, ok := strings.Cut(file, "-")
	if !ok || names.Validate(name) != nil {
		return ""
	}
	return name
}

// reqErrorOffset maps a pep508 syntax error back to a byte offset in raw,
// the requirement as written, so file errors point at the offending
// character rather than the start of the line. Unknown positions give 0.
func reqErrorOffset(raw string, err error) int {
	var se *pep508.SyntaxError
	if !errors.As(err, &se) || se.Pos <= 0 {
		return 0
	}
	spec, marker, hasMarker := strings.Cut(se.Input, " ; ")
	pos := min(se.Pos, len(se.Input))
	if !hasMarker || pos <= len(spec) {
		if k := strings.Index(raw, spec); k >= 0 {
			return k + min(pos, len(spec))
		}
		return 0
	}
	rel := pos - len(spec) - len(" ; ")
	if k := strings.LastIndex(raw, marker); k >= 0 && rel >= 0 {
		return k + rel
	}
	return 0
}

// reasonError is a cause whose message drops what the file error already
// says (the quoted requirement and its column).
type reasonError struct {
	msg string
	err error
}

func (e *reasonError) Error() string { return e.msg }
func (e *reasonError) Unwrap() error { return e.err }

// syntaxReason shortens a pep508 syntax error to its reason.
func syntaxReason(err error) error {
	var se *pep508.SyntaxError
	if !errors.As(err, &se) {
		return err
	}
	return &reasonError{msg: strings.Replace(err.Error(), se.Error(), se.Msg, 1), err: err}
}
