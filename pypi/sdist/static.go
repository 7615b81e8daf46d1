package sdist

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/pylock/pylock/pypi/index"
)

// Source names where static metadata was found.
type Source string

// Metadata sources, cheapest first.
const (
	SourcePKGINFO   Source = "PKG-INFO"
	SourcePyproject Source = "pyproject.toml"
)

// NeedsBuildError says why a source distribution or tree has no static
// metadata. It wraps index.ErrNeedsBuild.
type NeedsBuildError struct {
	Reasons []string // one per source looked at, e.g. `PKG-INFO has Metadata-Version "1.1"`
}

func (e *NeedsBuildError) Error() string {
	return index.ErrNeedsBuild.Error() + ": " + strings.Join(e.Reasons, "; ")
}

// Unwrap returns index.ErrNeedsBuild.
func (e *NeedsBuildError) Unwrap() error { return index.ErrNeedsBuild }

// Files holds the raw metadata files found at the top of an sdist or tree
// (nil when absent).
type Files struct {
	PKGINFO   []byte
	Pyproject []byte
}

// Static decides the static metadata of files. fallbackVersion (the
// version in an sdist's filename, or "") is used when pyproject.toml's
// version is dynamic and there is no PKG-INFO. Malformed files are errors
// naming the file; missing or dynamic fields give a *NeedsBuildError.
func Static(f Files, fallbackVersion string) (*index.Metadata, Source, error) {
	var reasons []string
	var pkg *index.Metadata
	if f.PKGINFO != nil {
		m, err := index.ParseMetadata(f.PKGINFO)
		if err != nil {
			return nil, "", fmt.Errorf("PKG-INFO: %w", err)
		}
		pkg = m
		why := pkginfoDynamic(m)
		if why == "" {
			return m, SourcePKGINFO, nil
		}
		reasons = append(reasons, why)
	} else {
		reasons = append(reasons, "no PKG-INFO")
	}
	if f.Pyproject == nil {
		return nil, "", &NeedsBuildError{Reasons: append(reasons, "no pyproject.toml")}
	}
	pp, err := ParsePyproject(f.Pyproject)
	if err != nil {
		return nil, "", err
	}
	version := fallbackVersion
	if pkg != nil {
		version = pkg.Version
	}
	m, why, err := pp.StaticMetadata(version)
	if err != nil {
		return nil, "", err
	}
	if why != "" {
		return nil, "", &NeedsBuildError{Reasons: append(reasons, why)}
	}
	return m, SourcePyproject, nil
}

// pkginfoDynamic returns why PKG-INFO cannot be trusted without a build
// (PEP 643), or "".
func pkginfoDynamic(m *index.Metadata) string {
	maj, min, _ := strings.Cut(m.MetadataVersion, ".")
	a, err1 := strconv.Atoi(maj)
	b, err2 := strconv.Atoi(min)
	if err1 != nil || err2 != nil || a < 2 || (a == 2 && b < 2) {
		return fmt.Sprintf("PKG-INFO has Metadata-Version %q (static metadata needs 2.2 or later, PEP 643)", m.MetadataVersion)
	}
	for _, d := range m.Dynamic {
		switch strings.ToLower(strings.TrimSpace(d)) {
		case "requires-dist", "requires-python", "provides-extra":
			return "PKG-INFO marks " + d + " as Dynamic"
		}
	}
	return ""
}

// MaxMetadataFile caps PKG-INFO and pyproject.toml (bytes).
const MaxMetadataFile = 4 << 20

// ReadDir reads PKG-INFO and pyproject.toml at the top of a source tree.
func ReadDir(dir string) (Files, error) {
	var f Files
	for _, x := range []struct {
		name string
		dst  *[]byte
	}{{"PKG-INFO", &f.PKGINFO}, {"pyproject.toml", &f.Pyproject}} {
		data, err := readSmall(filepath.Join(dir, x.name))
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return Files{}, err
		}
		*x.dst = data
	}
	return f, nil
}

// StaticDir is Static over a source tree; it is also an error naming the
// directory when dir is not a Python project (no pyproject.toml, setup.py
// or setup.cfg).
func StaticDir(dir string) (*index.Metadata, Source, error) {
	if err := IsProject(dir); err != nil {
		return nil, "", err
	}
	f, err := ReadDir(dir)
	if err != nil {
		return nil, "", err
	}
	m, src, err := Static(f, "")
	if err != nil {
		return nil, "", fmt.Errorf("%s: %w", dir, err)
	}
	return m, src, nil
}

// ErrNotProject is wrapped when a directory holds no Python project.
var ErrNotProject = errors.New("not a Python project (no pyproject.toml, setup.py or setup.cfg)")

// IsProject reports (as an error naming dir) whether dir is a Python
// project directory.
func IsProject(dir string) error {
	st, err := os.Stat(dir)
	if err != nil {
		return err
	}
	if !st.IsDir() {
		return fmt.Errorf("%s: %w", dir, ErrNotProject)
	}
	for _, n := range []string{"pyproject.toml", "setup.py", "setup.cfg"} {
		if _, err := os.Stat(filepath.Join(dir, n)); err == nil {
			return nil
		}
	}
	return fmt.Errorf("%s: %w", dir, ErrNotProject)
}

func readSmall(p string) ([]byte, error) {
	fh, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	st, err := fh.Stat()
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file", p)
	}
	buf, err := io.ReadAll(io.LimitReader(fh, MaxMetadataFile+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", p, err)
	}
	if len(buf) > MaxMetadataFile {
		return nil, fmt.Errorf("%s is larger than %d bytes", p, MaxMetadataFile)
	}
	return buf, nil
}
