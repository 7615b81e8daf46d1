package index

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
)

// ErrHashMismatch is wrapped when downloaded bytes do not match the hash the
// index published for them.
var ErrHashMismatch = errors.New("hash mismatch")

// ErrTooLarge is wrapped when a response exceeds the configured size limit.
var ErrTooLarge = errors.New("response too large")

// ErrInvalidMetadata is wrapped when core metadata is unparsable or does not
// describe the file it came from.
var ErrInvalidMetadata = errors.New("invalid core metadata")

// Error is a failure talking to an index. Its message names the project,
// version, redacted URL and HTTP status when known; it never contains
// credentials.
type Error struct {
	Op      string // "project", "metadata", "json-api", "find-links", "fetch"
	Project string // canonical project name, if any
	Version string // version, if any
	URL     string // redacted
	Status  int    // HTTP status, 0 when none
	Retries int    // retries made before giving up
	Err     error  // ErrNotFound, ErrOffline, ErrNeedsBuild, ErrHashMismatch, ... or a network error
}

// Error describes the failure: the project (and version), the redacted
// URL, the HTTP status or cause, and the retries made.
func (e *Error) Error() string {
	var b strings.Builder
	if e.Op == "project" && errors.Is(e.Err, ErrNotFound) {
		fmt.Fprintf(&b, "no such project %q on %s", e.Project, e.URL)
		if e.Status != 0 {
			fmt.Fprintf(&b, " (%d)", e.Status)
		}
		return scrub(b.String())
	}
	switch {
	case e.Project != "" && e.Version != "":
		fmt.Fprintf(&b, "%s %s: ", e.Project, e.Version)
	case e.Project != "":
		fmt.Fprintf(&b, "%s: ", e.Project)
	}
	if e.URL != "" {
		fmt.Fprintf(&b, "GET %s: ", e.URL)
	}
	if e.Status != 0 {
		fmt.Fprintf(&b, "%d %s", e.Status, http.StatusText(e.Status))
		if e.Err != nil && !isStatusErr(e.Err) {
			fmt.Fprintf(&b, ": %v", e.Err)
		}
	} else if e.Err != nil {
		b.WriteString(e.Err.Error())
	}
	if e.Retries > 0 {
		fmt.Fprintf(&b, " (after %d retries)", e.Retries)
	}
	return scrub(b.String())
}

// Unwrap returns the cause, for errors.Is and errors.As.
func (e *Error) Unwrap() error { return e.Err }

// errStatus is the cause of an Error for an unexpected HTTP status.
var errStatus = errors.New("unexpected HTTP status")

func isStatusErr(err error) bool { return err == errStatus || err == ErrNotFound }

// cleanNetErr strips *url.Error (which embeds the URL, possibly with a user
// name) and keeps the cause.
func cleanNetErr(err error) error {
	var ue *url.Error
	for errors.As(err, &ue) {
		err = ue.Err
	}
	if errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, context.Canceled) {
		return fmt.Errorf("timeout: %w", err)
	}
	return err
}

// userinfoRE is compiled on first use (start-up compiles nothing).
var userinfoRE = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`([a-zA-Z][a-zA-Z0-9+.-]*://)[^/?#@\s"']*@`)
})

// scrub removes anything that looks like URL userinfo from a message: the
// last line of defence, for text built from error strings of other packages.
func scrub(s string) string {
	if !strings.Contains(s, "@") {
		return s // no userinfo without an '@'
	}
	return userinfoRE().ReplaceAllString(s, "$1")
}

// Redact removes credentials (user:pass@, or a bare token@) from a URL
// string, also from malformed ones: a URL that does not parse (a bad port,
// an unclosed "[::1", a password holding a '/'), "user:pass@host/path"
// without a scheme, or a percent-encoded password. Text that is not a URL
// is returned unchanged.
func Redact(u string) string {
	if !strings.Contains(u, "@") {
		return u // credentials need an '@': nothing to parse or remove
	}
	if p, err := url.Parse(u); err == nil && p.Host != "" {
		if p.User == nil {
			return scrub(u)
		}
		p.User = nil
		return p.String()
	}
	u = scrub(u)
	if strings.ContainsAny(u, " \t\n") {
		return u // free text: scrub did what it can
	}
	if ui := userinfo(u); ui != "" {
		i := strings.Index(u, ui+"@")
		return u[:i] + u[i+len(ui)+1:]
	}
	return u
}

var schemeRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9+.-]*:/+`) })

// userinfo returns the credentials part of a URL-like string (without the
// '@'), or "": after "scheme://" everything up to the last '@' before any
// '?' or '#' (a password may hold an unencoded '/'); without a scheme
// ("user:pass@host/simple", perhaps joined to a directory by a
// requirements file), the text before the '@' of the first path segment
// that holds one.
func userinfo(u string) string {
	if m := schemeRE().FindString(u); m != "" {
		rest := u[len(m):]
		if i := strings.IndexAny(rest, "?#"); i >= 0 {
			rest = rest[:i]
		}
		if at := strings.LastIndexByte(rest, '@'); at >= 0 {
			return rest[:at]
		}
		return ""
	}
	for _, seg := range strings.Split(u, "/") {
		if at := strings.LastIndexByte(seg, '@'); at >= 0 {
			return seg[:at]
		}
	}
	return ""
}

// secrets lists the strings of loc that must not be shown: its userinfo
// as written and percent-decoded, and the decoded password alone.
func secrets(loc string) []string {
	ui := userinfo(loc)
	if ui == "" {
		return nil
	}
	out := []string{ui}
	if dec, err := url.PathUnescape(ui); err == nil && dec != ui {
		out = append(out, dec)
	}
	for _, s := range slices.Clone(out) {
		if _, pw, ok := strings.Cut(s, ":"); ok {
			out = append(out, pw)
		}
	}
	return out
}

// RedactError returns err with every credential of loc (see Redact) cut
// out of its message; errors.Is and errors.As still see the cause. Use it
// at the boundary where a user-supplied location enters, so that errors of
// other packages (os.Stat, url.Parse) that quote the raw text leak nothing.
func RedactError(err error, loc string) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	for _, s := range secrets(loc) {
		msg = strings.ReplaceAll(msg, s+"@", "")
		if len(s) >= 6 { // short strings would hit innocent text
			msg = strings.ReplaceAll(msg, s, "***")
		}
	}
	msg = scrub(msg)
	if msg == err.Error() {
		return err
	}
	return &redactedError{msg: msg, err: err}
}

type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

// unwrapPath drops the path of an *fs.PathError ("stat /x: no such file"
// -> "no such file"): the caller names the location, redacted.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// parseError explains why url.Parse rejected loc without quoting its
// credentials: the cause found by parsing the redacted text, or, when that
// parses, a hint that the credentials themselves are malformed.
func parseError(loc string, err error) error {
	if userinfo(loc) == "" {
		return cleanNetErr(err)
	}
	if _, rerr := url.Parse(Redact(loc)); rerr != nil {
		return cleanNetErr(rerr)
	}
	return errors.New("malformed credentials (user:password@): percent-encode reserved characters such as '/', '@' or ':' in them")
}
