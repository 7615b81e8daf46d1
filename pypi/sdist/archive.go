package sdist

import (
	"archive/tar"
	"archive/zip"
	"compress/bzip2"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/pylock/pylock/pypi/index"
	"github.com/pylock/pylock/pypi/wheel"
)

// Limits bound what reading or unpacking an archive may cost.
type Limits struct {
	MaxEntries    int   // members (directories included)
	MaxFileBytes  int64 // one member, uncompressed
	MaxTotalBytes int64 // all members, uncompressed
}

// DefaultLimits are generous for real sdists (the largest on PyPI unpack
// to a few hundred MiB) and stop archive bombs.
var DefaultLimits = Limits{MaxEntries: 200_000, MaxFileBytes: 1 << 30, MaxTotalBytes: 4 << 30}

// ErrUnsafeArchive is wrapped when an archive is malformed, hostile or over
// its Limits.
var ErrUnsafeArchive = errors.New("unsafe or malformed archive")

// member is one archive entry as the walkers see it.
type member struct {
	name string // cleaned, slash-separated, relative
	dir  bool
	link bool // symlink, hard link or special file: never materialised
	exec bool
	size int64 // declared size (-1 unknown)
	open func() (io.Reader, error)
}

// archiveKind returns the archive type of an sdist filename.
func archiveKind(filename string) (string, error) {
	low := strings.ToLower(filename)
	for _, ext := range []string{".tar.gz", ".tgz", ".tar.bz2", ".tbz", ".tar", ".zip"} {
		if strings.HasSuffix(low, ext) {
			return ext, nil
		}
	}
	return "", fmt.Errorf("%s: unsupported sdist archive type (want .tar.gz, .tar.bz2, .tar or .zip)", filename)
}

// walk calls fn for each member of the archive in order. It stops with fn's
// error, or with an ErrUnsafeArchive error for bad names and exceeded limits.
func walk(filename string, r io.ReaderAt, size int64, lim Limits, fn func(m member) error) error {
	kind, err := archiveKind(filename)
	if err != nil {
		return err
	}
	if kind == ".zip" {
		return walkZip(r, size, lim, fn)
	}
	var rd io.Reader = io.NewSectionReader(r, 0, size)
	switch kind {
	case ".tar.gz", ".tgz":
		gz, err := gzip.NewReader(rd)
		if err != nil {
			return fmt.Errorf("%w: %s: bad gzip stream: %v", ErrUnsafeArchive, filename, err)
		}
		defer gz.Close()
		rd = gz
	case ".tar.bz2", ".tbz":
		rd = bzip2.NewReader(rd)
	}
	return walkTar(rd, lim, fn)
}

func walkTar(rd io.Reader, lim Limits, fn func(m member) error) error {
	tr := tar.NewReader(rd)
	for n := 0; ; n++ {
		h, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%w: bad tar: %v", ErrUnsafeArchive, err)
		}
		if n >= lim.MaxEntries {
			return fmt.Errorf("%w: more than %d members", ErrUnsafeArchive, lim.MaxEntries)
		}
		name, err := cleanName(h.Name)
		if err != nil {
			return err
		}
		if name == "" {
			continue
		}
		m := member{name: name, size: h.Size, exec: h.Mode&0o111 != 0}
		switch h.Typeflag {
		case tar.TypeDir:
			m.dir = true
		case tar.TypeReg, tar.TypeRegA:
			m.open = func() (io.Reader, error) { return tr, nil }
		case tar.TypeXGlobalHeader:
			continue
		default:
			m.link = true
		}
		if err := fn(m); err != nil {
			return err
		}
	}
}

func walkZip(r io.ReaderAt, size int64, lim Limits, fn func(m member) error) error {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return fmt.Errorf("%w: bad zip: %v", ErrUnsafeArchive, err)
	}
	if len(zr.File) > lim.MaxEntries {
		return fmt.Errorf("%w: more than %d members", ErrUnsafeArchive, lim.MaxEntries)
	}
	for _, zf := range zr.File {
		name, err := cleanName(zf.Name)
		if err != nil {
			return err
		}
		if name == "" {
			continue
		}
		mode := zf.Mode()
		m := member{name: name, size: int64(zf.UncompressedSize64), exec: mode&0o111 != 0}
		switch {
		case mode.IsDir() || strings.HasSuffix(zf.Name, "/"):
			m.dir = true
		case mode.IsRegular():
			m.open = func() (io.Reader, error) {
				rc, err := zf.Open()
				if err != nil {
					return nil, fmt.Errorf("%w: %s: %v", ErrUnsafeArchive, name, err)
				}
				return rc, nil // a zip member's reader needs no Close
			}
		default:
			m.link = true
		}
		if err := fn(m); err != nil {
			return err
		}
	}
	return nil
}

// cleanName validates a member name: relative, no "..", no backslashes,
// drive letters or NUL. "./x" becomes "x"; "" and "." become "" (skipped).
func cleanName(name string) (string, error) {
	bad := func(why string) error {
		return fmt.Errorf("%w: member %q: %s", ErrUnsafeArchive, truncate(name, 200), why)
	}
	if strings.ContainsAny(name, "\\\x00") {
		return "", bad("backslash or NUL in name")
	}
	if strings.HasPrefix(name, "/") {
		return "", bad("absolute path")
	}
	if len(name) >= 2 && name[1] == ':' {
		return "", bad("drive letter")
	}
	for _, part := range strings.Split(name, "/") {
		if part == ".." {
			return "", bad(`".." in path`)
		}
	}
	c := path.Clean(name)
	if c == "." {
		return "", nil
	}
	return c, nil
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "..."
	}
	return s
}

// top splits "top/rest" into top and rest ("" when name has no slash).
func top(name string) (string, string) {
	t, rest, _ := strings.Cut(name, "/")
	return t, rest
}

// ReadArchive returns PKG-INFO and pyproject.toml from the top directory
// of an sdist (the "name-version/" directory every sdist has), reading
// only those two members into memory.
func ReadArchive(filename string, r io.ReaderAt, size int64, lim Limits) (Files, error) {
	var f Files
	err := walk(filename, r, size, lim, func(m member) error {
		_, rest := top(m.name)
		if m.open == nil || (rest != "PKG-INFO" && rest != "pyproject.toml") {
			return nil
		}
		rd, err := m.open()
		if err != nil {
			return err
		}
		data, err := io.ReadAll(io.LimitReader(rd, MaxMetadataFile+1))
		if err != nil {
			return fmt.Errorf("%w: %s: %v", ErrUnsafeArchive, m.name, err)
		}
		if len(data) > MaxMetadataFile {
			return fmt.Errorf("%w: %s is larger than %d bytes", ErrUnsafeArchive, m.name, MaxMetadataFile)
		}
		if rest == "PKG-INFO" && f.PKGINFO == nil {
			f.PKGINFO = data
		} else if rest == "pyproject.toml" && f.Pyproject == nil {
			f.Pyproject = data
		}
		return nil
	})
	if err != nil {
		return Files{}, fmt.Errorf("%s: %w", filename, err)
	}
	return f, nil
}

// StaticArchive returns the static metadata of an sdist archive, or a
// *NeedsBuildError. The version in the filename is used when neither
// PKG-INFO nor pyproject.toml states one.
func StaticArchive(filename string, r io.ReaderAt, size int64) (*index.Metadata, Source, error) {
	f, err := ReadArchive(filename, r, size, DefaultLimits)
	if err != nil {
		return nil, "", err
	}
	version := ""
	if s, err := wheel.ParseSdistFilename(path.Base(filepath.ToSlash(filename))); err == nil {
		version = s.Version.String()
	}
	m, src, err := Static(f, version)
	if err != nil {
		return nil, "", fmt.Errorf("%s: %w", filename, err)
	}
	return m, src, nil
}

// Unpack extracts an sdist into dest (which must be empty or absent) and
// returns the source tree's root: dest/<top> when every member lies under
// one top directory, as in every real sdist, else dest. Links and special
// files are skipped; file modes are 0644, or 0755 when executable.
func Unpack(filename string, r io.ReaderAt, size int64, dest string, lim Limits) (string, error) {
	if err := os.MkdirAll(dest, 0o755); err != nil {
		return "", err
	}
	tops := map[string]bool{}
	var total int64
	err := walk(filename, r, size, lim, func(m member) error {
		t, rest := top(m.name)
		if rest != "" || m.dir {
			tops[t] = true
		} else {
			tops[""] = true // a file at the top level
		}
		if m.link {
			return nil
		}
		p := filepath.Join(dest, filepath.FromSlash(m.name))
		if m.dir {
			return os.MkdirAll(p, 0o755)
		}
		if m.size > lim.MaxFileBytes {
			return fmt.Errorf("%w: %s is %d bytes (limit %d)", ErrUnsafeArchive, m.name, m.size, lim.MaxFileBytes)
		}
		n, err := writeMember(p, m, min(lim.MaxFileBytes, lim.MaxTotalBytes-total))
		total += n
		return err
	})
	if err != nil {
		return "", fmt.Errorf("%s: %w", filename, err)
	}
	if len(tops) == 1 {
		for t := range tops {
			if t != "" {
				return filepath.Join(dest, t), nil
			}
		}
	}
	return dest, nil
}

// writeMember copies one member to p, at most limit bytes.
func writeMember(p string, m member, limit int64) (int64, error) {
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return 0, err
	}
	if st, err := os.Lstat(p); err == nil && !st.Mode().IsRegular() {
		return 0, fmt.Errorf("%w: %s: member replaces a directory", ErrUnsafeArchive, m.name)
	}
	mode := os.FileMode(0o644)
	if m.exec {
		mode = 0o755
	}
	rd, err := m.open()
	if err != nil {
		return 0, err
	}
	fh, err := os.OpenFile(p, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, mode)
	if err != nil {
		return 0, err
	}
	n, err := io.Copy(fh, io.LimitReader(rd, limit+1))
	if cerr := fh.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return n, fmt.Errorf("%w: %s: %v", ErrUnsafeArchive, m.name, err)
	}
	if n > limit {
		return n, fmt.Errorf("%w: %s: unpacked size over the limit", ErrUnsafeArchive, m.name)
	}
	return n, nil
}
