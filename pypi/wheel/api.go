// Package wheel parses wheel and sdist filenames (PEP 427, PEP 491, the
// binary distribution format spec) and compatibility tags (PEP 425).
//
// CONTRACT (stub written by the lead; the owner replaces the panics, may add
// API, must not rename or remove what is declared here).
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
	BuildNumber int    // -1 when there is no build tag
	BuildSuffix string // rest of the build tag after the leading digits
	Tags        []Tag  // expanded from compressed tag sets
}

// ParseFilename parses "numpy-1.26.4-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl".
func ParseFilename(s string) (Filename, error) { panic("wheel.ParseFilename: not implemented") }

// Sdist is a parsed source distribution filename ("name-version.tar.gz" or ".zip").
type Sdist struct {
	Name    string // canonical
	Version pep440.Version
}

// ParseSdistFilename parses an sdist filename.
func ParseSdistFilename(s string) (Sdist, error) { panic("wheel.ParseSdistFilename: not implemented") }
