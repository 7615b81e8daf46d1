package sdist

import (
	"bytes"
	"path/filepath"
	"testing"
)

func FuzzParsePyproject(f *testing.F) {
	f.Add([]byte(pyprojectStatic))
	f.Add([]byte("[project]\nname='x'\ndynamic=['version']\n"))
	f.Add([]byte("[project\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		pp, err := ParsePyproject(data)
		if err != nil {
			return
		}
		m, why, err := pp.StaticMetadata("1.0")
		if err == nil && why == "" && (m == nil || m.Name == "") {
			t.Fatalf("static metadata without a name: %+v", m)
		}
	})
}

func FuzzCleanName(f *testing.F) {
	for _, s := range []string{"a/b", "./a", "../a", "a/../../b", "/etc", "C:/x", "a\\b", "a//b/./c", ".", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		c, err := cleanName(name)
		if err != nil || c == "" {
			return
		}
		dest := "/dest"
		p := filepath.Join(dest, filepath.FromSlash(c))
		if rel, err := filepath.Rel(dest, p); err != nil || rel == ".." || len(rel) >= 3 && rel[:3] == "../" || filepath.IsAbs(rel) {
			t.Fatalf("%q cleans to %q, which escapes: %s", name, c, p)
		}
	})
}

func FuzzReadArchive(f *testing.F) {
	f.Add(tarGz(f, []ent{{name: "a-1/PKG-INFO", body: pkginfo22}}), false)
	f.Add(zipOf(f, []ent{{name: "a-1/pyproject.toml", body: pyprojectStatic}}), true)
	f.Fuzz(func(t *testing.T, data []byte, isZip bool) {
		name := "a-1.tar.gz"
		if isZip {
			name = "a-1.zip"
		}
		lim := Limits{MaxEntries: 100, MaxFileBytes: 1 << 16, MaxTotalBytes: 1 << 18}
		if _, err := ReadArchive(name, bytes.NewReader(data), int64(len(data)), lim); err != nil {
			return
		}
		dest := t.TempDir()
		_, _ = Unpack(name, bytes.NewReader(data), int64(len(data)), dest, lim)
	})
}
