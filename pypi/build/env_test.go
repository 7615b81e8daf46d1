package build

import (
	"archive/zip"
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func zipBytes(t *testing.T, files map[string]string) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for n, b := range files {
		w, err := zw.Create(n)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(b))
	}
	zw.Close()
	return buf.Bytes()
}

func TestInstallWheel(t *testing.T) {
	root := t.TempDir()
	sp := schemePaths{Purelib: filepath.Join(root, "pure"), Platlib: filepath.Join(root, "plat"),
		Scripts: filepath.Join(root, "bin"), Data: root, Include: filepath.Join(root, "include")}
	data := zipBytes(t, map[string]string{
		"tool/__init__.py":                    "x = 1\n",
		"tool-1.0.dist-info/WHEEL":            "Wheel-Version: 1.0\nRoot-Is-Purelib: false\n",
		"tool-1.0.dist-info/entry_points.txt": "[console_scripts]\ntool = tool.cli:main [extra]\ntool-mod = tool\n[gui_scripts]\ngui = tool:gui\n",
		"tool-1.0.data/purelib/extra_mod.py":  "y = 2\n",
		"tool-1.0.data/scripts/run-tool":      "#!python\nprint('hi')\n",
		"tool-1.0.data/headers/tool.h":        "int x;\n",
	})
	if err := installWheel(bytes.NewReader(data), int64(len(data)), sp, "/venv/bin/python"); err != nil {
		t.Fatal(err)
	}
	read := func(p string) string {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	if read(filepath.Join(sp.Platlib, "tool", "__init__.py")) != "x = 1\n" { // Root-Is-Purelib: false
		t.Error("root files not in platlib")
	}
	if read(filepath.Join(sp.Purelib, "extra_mod.py")) != "y = 2\n" || read(filepath.Join(sp.Include, "tool.h")) != "int x;\n" {
		t.Error(".data directories misplaced")
	}
	if got := read(filepath.Join(sp.Scripts, "run-tool")); got != "#!/venv/bin/python\nprint('hi')\n" {
		t.Errorf("script = %q", got)
	}
	if got := read(filepath.Join(sp.Scripts, "tool")); !strings.HasPrefix(got, "#!/venv/bin/python\n") || !strings.Contains(got, "sys.exit(tool.cli.main())") {
		t.Errorf("console script = %q", got)
	}
	if got := read(filepath.Join(sp.Scripts, "tool-mod")); !strings.Contains(got, `runpy.run_module("tool"`) {
		t.Errorf("module console script = %q", got)
	}
	if _, err := os.Stat(filepath.Join(sp.Scripts, "gui")); err == nil {
		t.Error("gui_scripts entry written as a console script")
	}
	for _, bad := range []string{"../evil.py", "/abs.py", "a\\..\\b.py", "C:/x.py"} {
		d := zipBytes(t, map[string]string{bad: "x"})
		if err := installWheel(bytes.NewReader(d), int64(len(d)), sp, "/p"); err == nil || !strings.Contains(err.Error(), "unsafe wheel member") {
			t.Errorf("%q: err = %v", bad, err)
		}
	}
}
