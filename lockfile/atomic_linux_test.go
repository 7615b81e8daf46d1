//go:build linux

package lockfile

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/pylock/pylock/internal/testenv"
)

// TestWriteFileAtomicReadOnlyMount is the variant of
// TestWriteFileAtomicUnwritableDir that works as root (where directory
// permissions are ignored): the lock's directory is a read-only bind mount,
// which refuses root too. The previous file must survive and no temporary
// file may be left.
func TestWriteFileAtomicReadOnlyMount(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to mount (TestWriteFileAtomicUnwritableDir covers other users)")
	}
	src := t.TempDir()
	path := filepath.Join(src, "pylock.toml")
	if err := os.WriteFile(path, []byte("old\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ro := t.TempDir()
	if err := syscall.Mount(src, ro, "", syscall.MS_BIND, ""); err != nil {
		testenv.Require(t, false, "bind mount: %v", err)
	}
	t.Cleanup(func() { syscall.Unmount(ro, 0) })
	if err := syscall.Mount("", ro, "", syscall.MS_BIND|syscall.MS_REMOUNT|syscall.MS_RDONLY, ""); err != nil {
		testenv.Require(t, false, "read-only remount: %v", err)
	}
	if err := WriteFileAtomic(filepath.Join(ro, "pylock.toml"), []byte("new\n")); err == nil {
		t.Fatal("no error writing into a read-only directory")
	}
	got, _ := os.ReadFile(path)
	if string(got) != "old\n" {
		t.Errorf("old file changed: %q", got)
	}
	if es := entries(t, src); len(es) != 1 {
		t.Errorf("dir holds %v, want only pylock.toml", es)
	}
}
