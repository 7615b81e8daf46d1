package installed

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"github.com/pylock/pylock/internal/testenv"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// writeDist lays out a dist-info directory with one module file recorded.
func writeDist(t testing.TB, root, name, version, module, content string) {
	t.Helper()
	di := filepath.Join(root, fmt.Sprintf("%s-%s.dist-info", name, version))
	must(t, os.MkdirAll(di, 0o755))
	must(t, os.WriteFile(filepath.Join(di, "METADATA"), []byte("Metadata-Version: 2.1\nName: "+name+"\nVersion: "+version+"\n\nbody: ignored\n"), 0o644))
	must(t, os.WriteFile(filepath.Join(di, "INSTALLER"), []byte("pip\n"), 0o644))
	must(t, os.WriteFile(filepath.Join(root, module), []byte(content), 0o644))
	sum := sha256.Sum256([]byte(content))
	rec := fmt.Sprintf("%s,sha256=%s,%d\n%s/METADATA,,\n", module, base64.RawURLEncoding.EncodeToString(sum[:]), len(content), filepath.Base(di))
	must(t, os.WriteFile(filepath.Join(di, "RECORD"), []byte(rec), 0o644))
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestReadSitePackages(t *testing.T) {
	root := t.TempDir()
	writeDist(t, root, "Typing_Extensions", "4.8.0", "typing_extensions.py", "x = 1\n")
	writeDist(t, root, "numpy", "1.26.4", "numpy.py", "y = 2\n")
	must(t, os.MkdirAll(filepath.Join(root, "not-a-dist"), 0o755))
	env, err := ReadSitePackages(root)
	must(t, err)
	if got, want := fmt.Sprint(env.Names()), "[numpy typing-extensions]"; got != want {
		t.Fatalf("names = %s, want %s", got, want)
	}
	d := env.Dists["typing-extensions"]
	if d.Version != "4.8.0" || d.RawName != "Typing_Extensions" || d.Installer != "pip" {
		t.Errorf("dist = %+v", d)
	}
	if len(d.Record) != 2 || d.Record[0].Size != 6 || d.Record[1].Size != -1 {
		t.Errorf("record = %+v", d.Record)
	}
	if bad := d.Verify(); len(bad) != 0 {
		t.Errorf("untouched dist reported tampered: %v", bad)
	}
	must(t, os.WriteFile(filepath.Join(root, "numpy.py"), []byte("y = 3\n"), 0o644))
	if bad := env.Dists["numpy"].Verify(); len(bad) != 1 || bad[0].Reason != "hash mismatch" || bad[0].Path != "numpy.py" {
		t.Errorf("tampered numpy: got %v", bad)
	}
	must(t, os.Remove(filepath.Join(root, "typing_extensions.py")))
	if bad := d.Verify(); len(bad) != 1 || bad[0].Reason != "missing" {
		t.Errorf("missing file: got %v", bad)
	}
}

func TestFirstOnPathWins(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	writeDist(t, a, "six", "1.16.0", "six.py", "a")
	writeDist(t, b, "six", "1.15.0", "six.py", "b")
	env, err := ReadSitePackages(a, b)
	must(t, err)
	if v := env.Dists["six"].Version; v != "1.16.0" {
		t.Errorf("six = %s, want the first path's 1.16.0", v)
	}
}

func TestErrors(t *testing.T) {
	if _, err := ReadSitePackages(filepath.Join(t.TempDir(), "nope")); err == nil {
		t.Error("missing directory: want error")
	}
	root := t.TempDir()
	must(t, os.MkdirAll(filepath.Join(root, "x-1.dist-info"), 0o755))
	must(t, os.WriteFile(filepath.Join(root, "x-1.dist-info", "METADATA"), []byte("Metadata-Version: 2.1\n"), 0o644))
	if _, err := ReadSitePackages(root); err == nil {
		t.Error("METADATA without Name: want error")
	}
	if _, err := ReadPython(context.Background(), filepath.Join(root, "no-python")); err == nil {
		t.Error("missing interpreter: want error")
	}
}

func TestReadPython(t *testing.T) {
	py, err := exec.LookPath("python3")
	if err != nil {
		testenv.Require(t, false, "no python3 on PATH")
	}
	env, err := ReadPython(context.Background(), py)
	must(t, err)
	if len(env.Paths) == 0 {
		t.Fatal("no sys.path directories")
	}
	if _, ok := env.Dists["pip"]; !ok {
		t.Errorf("pip not found among %d dists in %v", len(env.Dists), env.Paths)
	}
}

// FuzzParseRecord feeds arbitrary RECORD files and headers to the readers:
// they must not panic, and every entry they return names a path.
func FuzzParseRecord(f *testing.F) {
	f.Add([]byte("pkg/__init__.py,sha256=AicKBV3rnPt887-cBwgA6h7sGIQN0f4AaSlrdwFpVYc,87\npkg-1.0.dist-info/RECORD,,\n"))
	f.Add([]byte("\"a,b.py\",sha256=x,\n,,\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		rec, err := parseRecord(data)
		if err != nil {
			return
		}
		for _, e := range rec {
			if e.Path == "" {
				t.Fatalf("entry without a path: %+v", e)
			}
		}
		_ = headerValue(data, "Name")
	})
}

// BenchmarkReadAndVerify reads a 200-distribution site-packages and checks
// every RECORD hash (what `pylock audit --site-packages` does).
func BenchmarkReadAndVerify(b *testing.B) {
	root := b.TempDir()
	for i := range 200 {
		writeDist(b, root, fmt.Sprintf("pkg%03d", i), "1.0", fmt.Sprintf("pkg%03d.py", i), fmt.Sprintf("x = %d\n", i))
	}
	b.ResetTimer()
	for b.Loop() {
		env, err := ReadSitePackages(root)
		if err != nil {
			b.Fatal(err)
		}
		for _, d := range env.Dists {
			if len(d.Verify()) != 0 {
				b.Fatal("unexpected tampered file")
			}
		}
	}
}
