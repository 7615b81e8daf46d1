package index

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
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

var userinfoRE = regexp.MustCompile(`([a-zA-Z][a-zA-Z0-9+.-]*://)[^/?#@\s"']*@`)

// scrub removes anything that looks like URL userinfo from a message: the
// last line of defence, for text built from error strings of other packages.
func scrub(s string) string { return userinfoRE.ReplaceAllString(s, "$1") }

// Redact removes credentials (user:pass@, or a bare token@) from a URL
// string. Strings that are not URLs are scrubbed of anything URL-like.
func Redact(u string) string {
	p, err := url.Parse(u)
	if err != nil || p.User == nil {
		return scrub(u)
	}
	p.User = nil
	return p.String()
}
