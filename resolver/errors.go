package resolver

import (
	"errors"
	"strconv"
)

// Provider error kinds
//
// A Provider classifies its failures by wrapping one of these sentinels
// (fmt.Errorf("...: %w", ErrYanked)) or by returning a *ProviderError
// whose Kind is one; the resolver and its explanations act on the kind
// (errors.Is / errors.As), never on the message:
//
//   - ErrProjectNotFound (Candidates): the project has no versions; an
//     explanation says where it was looked for when the error is a
//     *ProviderError with Where set.
//   - ErrInvalidMetadata, ErrNeedsBuild, ErrCannotBuild, ErrYanked
//     (Metadata): that one version cannot be used; the resolution goes on
//     without it and an explanation gives the reason.
//   - ErrUnavailable, or any other error: the resolution stops with the
//     error, wrapped with the package (never a *NoSolutionError).

// ErrNeedsBuild may be wrapped by Provider.Metadata when a version's
// metadata can only be had by building its source distribution, which the
// provider will not or could not do: that version is skipped.
var ErrNeedsBuild = errors.New("metadata needs a source build")

// ErrCannotBuild may be wrapped by Provider.Metadata when a version's
// metadata needs a build of its source distribution and that build is
// disabled (--no-build) or failed, with a message that says which in full
// ("its sdist needs a build (...) and building is disabled by --no-build"):
// that version is skipped and an explanation reads "cannot be used:
// <message>". It takes precedence over ErrNeedsBuild and ErrInvalidMetadata
// when an error wraps them too.
var ErrCannotBuild = errors.New("cannot build the sdist")

// ErrYanked may be wrapped by Provider.Metadata when the provider refuses a
// version because it was yanked (PEP 592): that version is skipped.
var ErrYanked = errors.New("yanked")

// ErrUnavailable may be wrapped by a Provider when the index cannot be
// reached or answers with an error: the resolution stops.
var ErrUnavailable = errors.New("index unavailable")

// ProviderError is a classified provider failure for a project or one of
// its versions. errors.Is(err, Kind) holds, and so does errors.Is / As
// for whatever Err wraps.
type ProviderError struct {
	Kind    error  // ErrProjectNotFound, ErrInvalidMetadata, ErrNeedsBuild, ErrCannotBuild, ErrYanked or ErrUnavailable
	Project string // canonical project name
	Version string // "" for a project-level failure
	Where   string // the index (URL, credentials removed) that answered, if known
	Status  int    // HTTP status, 0 when none
	Err     error  // the underlying error, if any
}

// Error names the project (and version), the kind, where and the cause.
func (e *ProviderError) Error() string {
	s := e.Project
	if e.Version != "" {
		s += "==" + e.Version
	}
	if e.Kind != nil {
		s += ": " + e.Kind.Error()
	}
	if e.Where != "" {
		s += " on " + e.Where
	}
	if e.Status != 0 {
		s += " (" + strconv.Itoa(e.Status) + ")"
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns the kind and the underlying error.
func (e *ProviderError) Unwrap() []error {
	var out []error
	if e.Kind != nil {
		out = append(out, e.Kind)
	}
	if e.Err != nil {
		out = append(out, e.Err)
	}
	return out
}

// whyKind classifies why versions cannot be used, so that hints switch on
// the kind rather than on the words.
type whyKind uint8

const (
	whyNone             whyKind = iota
	whyPrerelease               // a pre-release not enabled
	whyNoFiles                  // no files
	whyYanked                   // yanked and not pinned
	whyExcludeNewer             // uploaded after --exclude-newer
	whyPython                   // Requires-Python excludes the target
	whyBinaryPolicy             // --only-binary / --no-binary
	whyNoCompatibleDist         // no wheel for the target and no sdist
	whyInvalidMetadata          // the provider said ErrInvalidMetadata
	whyNeedsBuild               // the provider said ErrNeedsBuild
	whyCannotBuild              // the provider said ErrCannotBuild
	whyRequiredEnv              // no file for a required environment (universal)
)

// classifyMetadataErr returns the kind of a Provider.Metadata error that
// makes only that version unusable, or whyNone when the error must stop
// the resolution.
func classifyMetadataErr(err error) whyKind {
	switch { // cannot-build, then needs-build: an unbuilt sdist's metadata is not invalid
	case errors.Is(err, ErrCannotBuild):
		return whyCannotBuild
	case errors.Is(err, ErrNeedsBuild):
		return whyNeedsBuild
	case errors.Is(err, ErrInvalidMetadata):
		return whyInvalidMetadata
	case errors.Is(err, ErrYanked):
		return whyYanked
	}
	return whyNone
}
