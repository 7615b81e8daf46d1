// Package wheel parses wheel and sdist filenames (PEP 427, PEP 491, the
// binary distribution format spec) and compatibility tags (PEP 425).
//
// Filenames parse exactly as packaging 26's parse_wheel_filename (see
// parseFilename for the rules and the few deliberate deviations). Supported
// tag lists are built the way packaging's cpython_tags, generic_tags and
// compatible_tags build them, from explicit platform lists made by
// ManylinuxPlatforms, MusllinuxPlatforms and MacPlatforms; no host Python
// is consulted. The package does no I/O.
package wheel

import "github.com/pylock/pylock/pypi/pep440"

// Tag is one interpreter-abi-platform triple, lower-cased.
type Tag struct {
	Interpreter string // "cp311", "py3"
	ABI         string // "cp311", "abi3", "none"
	Platform    string // "manylinux_2_17_x86_64", "any"
}

// String returns "interp-abi-plat".
func (t Tag) String() string { return t.Interpreter + "-" + t.ABI + "-" + t.Platform }

// Filename is a parsed wheel filename.
type Filename struct {
	Name        string // canonical project name
	Version     pep440.Version
	BuildNumber int    // -1 when there is no build tag; saturates at math.MaxInt
	BuildSuffix string // rest of the build tag after the leading digits
	Build       string // the build tag as written, "" when there is none
	Tags        []Tag  // expanded from compressed tag sets, sorted by String(), unique
}

// ParseFilename parses "numpy-1.26.4-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl".
// Errors are *FilenameError.
func ParseFilename(s string) (Filename, error) { return parseFilename(s, false) }

// Sdist is a parsed source distribution filename ("name-version.tar.gz" or ".zip").
type Sdist struct {
	Name    string // canonical
	Version pep440.Version
	Ext     string // ".tar.gz", ".zip", ...
}

// ParseSdistFilename parses an sdist filename: the name and version are
// split at the last "-" whose right-hand side is a valid PEP 440 version
// ("foo_bar-1.0.tar.gz" is foo-bar 1.0; "foo-1.0-beta.zip" is foo 1.0b0,
// since "beta" alone is not a version).
// Errors are *FilenameError.
func ParseSdistFilename(s string) (Sdist, error) { return parseSdist(s) }
