package lockfile

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// entries lists dir, to check no temp file is left behind.
func entries(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	return names
}

func TestWriteFileAtomicNewAndReplace(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "pylock.toml")
	if err := WriteFileAtomic(path, []byte("one\n")); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS != "windows" && fi.Mode().Perm() != 0o644 {
		t.Errorf("new file mode %v, want 0644", fi.Mode().Perm())
	}
	if err := os.Chmod(path, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := WriteFileAtomic(path, []byte("two\n")); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(path)
	if string(got) != "two\n" {
		t.Errorf("content %q", got)
	}
	fi, _ = os.Stat(path)
	if runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want the old file's 0600", fi.Mode().Perm())
	}
	if es := entries(t, dir); len(es) != 1 {
		t.Errorf("dir holds %v, want only pylock.toml", es)
	}
}

func TestWriteFileAtomicFailingWriter(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "pylock.toml")
	if err := os.WriteFile(path, []byte("old\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	err := WriteFileAtomicFunc(path, func(w io.Writer) error {
		w.Write([]byte("partial"))
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v, want boom", err)
	}
	got, _ := os.ReadFile(path)
	if string(got) != "old\n" {
		t.Errorf("old file changed: %q", got)
	}
	if es := entries(t, dir); len(es) != 1 {
		t.Errorf("dir holds %v, want only pylock.toml", es)
	}
}

func TestWriteFileAtomicUnwritableDir(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("permission bits")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "pylock.toml")
	if err := os.WriteFile(path, []byte("old\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o555); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(dir, 0o755) })
	if f, err := os.CreateTemp(dir, "probe"); err == nil {
		f.Close()
		os.Remove(f.Name())
		t.Skip("running with privileges that ignore directory permissions")
	}
	if err := WriteFileAtomic(path, []byte("new\n")); err == nil {
		t.Fatal("no error writing into a read-only directory")
	}
	got, _ := os.ReadFile(path)
	if string(got) != "old\n" {
		t.Errorf("old file changed: %q", got)
	}
}

func TestWriteFileAtomicFailures(t *testing.T) {
	dir := t.TempDir()
	// Missing directory.
	if err := WriteFileAtomic(filepath.Join(dir, "missing", "pylock.toml"), []byte("x")); err == nil {
		t.Error("no error for a missing directory")
	}
	// Parent is a file.
	file := filepath.Join(dir, "file")
	os.WriteFile(file, []byte("f"), 0o644)
	if err := WriteFileAtomic(filepath.Join(file, "pylock.toml"), []byte("x")); err == nil {
		t.Error("no error when the parent is a file")
	}
	// Target is a directory: the rename must not happen.
	sub := filepath.Join(dir, "sub")
	os.MkdirAll(filepath.Join(sub, "keep"), 0o755)
	if err := WriteFileAtomic(sub, []byte("x")); err == nil {
		t.Error("no error when the target is a directory")
	}
	if es := entries(t, dir); len(es) != 2 {
		t.Errorf("dir holds %v, want only file and sub", es)
	}
}

func TestWriteFileAtomicSymlink(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("symlinks")
	}
	dir := t.TempDir()
	real := filepath.Join(dir, "real.toml")
	link := filepath.Join(dir, "pylock.toml")
	os.WriteFile(real, []byte("old"), 0o644)
	if err := os.Symlink("real.toml", link); err != nil {
		t.Fatal(err)
	}
	if err := WriteFileAtomic(link, []byte("new")); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Lstat(link); fi.Mode()&os.ModeSymlink == 0 {
		t.Error("symlink replaced by a file")
	}
	if got, _ := os.ReadFile(real); string(got) != "new" {
		t.Errorf("target content %q", got)
	}
}

// TestWriteFileAtomicSimulatedFailures covers an unwritable directory and a
// failed rename even when the tests run as root.
func TestWriteFileAtomicSimulatedFailures(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "pylock.toml")
	os.WriteFile(path, []byte("old\n"), 0o644)

	createTemp = func(string, string) (*os.File, error) { return nil, os.ErrPermission }
	err := WriteFileAtomic(path, []byte("new\n"))
	createTemp = os.CreateTemp
	if !errors.Is(err, os.ErrPermission) {
		t.Errorf("err = %v, want permission denied", err)
	}

	rename = func(string, string) error { return os.ErrPermission }
	err = WriteFileAtomic(path, []byte("new\n"))
	rename = os.Rename
	if !errors.Is(err, os.ErrPermission) {
		t.Errorf("err = %v, want permission denied", err)
	}
	if got, _ := os.ReadFile(path); string(got) != "old\n" {
		t.Errorf("old file changed: %q", got)
	}
	if es := entries(t, dir); len(es) != 1 {
		t.Errorf("dir holds %v, want only pylock.toml", es)
	}
}

// An unchanged lock is not rewritten (same file, no rename); a changed
// one, or one of another length, is.
func TestWriteFileAtomicUnchangedIsLeftAlone(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "pylock.toml")
	if err := WriteFileAtomic(path, []byte("same\n")); err != nil {
		t.Fatal(err)
	}
	before, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		data    string
		rewrite bool
	}{{"same\n", false}, {"diff\n", true}, {"diff\nlonger\n", true}, {"", true}} {
		if err := WriteFileAtomic(path, []byte(c.data)); err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(path)
		if err != nil || string(got) != c.data {
			t.Fatalf("after writing %q: %q, %v", c.data, got, err)
		}
		after, _ := os.Stat(path)
		if rewritten := !os.SameFile(before, after); rewritten != c.rewrite {
			t.Errorf("writing %q: rewritten=%v, want %v", c.data, rewritten, c.rewrite)
		}
		before = after
	}
	if es := entries(t, dir); len(es) != 1 {
		t.Errorf("left behind: %v", es)
	}
}
