package build

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzInstallWheel: whatever the archive (entry_points.txt included),
// installWheel writes only inside the scheme's root.
func FuzzInstallWheel(f *testing.F) {
	f.Add([]byte("[console_scripts]\na = b:c\n"), "x/__init__.py")
	f.Add([]byte("[console_scripts]\n../../x = os\n"), "x-1.data/scripts/s")
	f.Add([]byte(""), "../x")
	f.Fuzz(func(t *testing.T, entryPoints []byte, member string) {
		zb := zipBytes(t, map[string]string{"x-1.dist-info/entry_points.txt": string(entryPoints), member: "#!python\n"})
		outer := t.TempDir()
		root := filepath.Join(outer, "venv")
		sp := schemePaths{Purelib: filepath.Join(root, "lib"), Platlib: filepath.Join(root, "lib"),
			Scripts: filepath.Join(root, "bin"), Data: root, Include: filepath.Join(root, "include")}
		_ = installWheel(bytes.NewReader(zb), int64(len(zb)), sp, "/py")
		ents, _ := os.ReadDir(outer)
		for _, e := range ents {
			if e.Name() != "venv" {
				t.Fatalf("member %q / entry points %q wrote %s outside the venv", member, entryPoints, e.Name())
			}
		}
		filepath.WalkDir(outer, func(p string, d os.DirEntry, err error) error {
			if err == nil && !strings.HasPrefix(p, root) && p != outer {
				t.Fatalf("wrote %s", p)
			}
			return nil
		})
	})
}
