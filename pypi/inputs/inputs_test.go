package inputs

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/pylock/pylock/pypi/reqfile"
)

func write(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o666); err != nil {
		t.Fatal(err)
	}
	return p
}

func names(es []reqfile.Entry) []string {
	var out []string
	for _, e := range es {
		out = append(out, e.Requirement.String())
	}
	return out
}

func TestLoadRoles(t *testing.T) {
	dir := t.TempDir()
	req := write(t, dir, "req.txt", "h11\n-c inc.txt\n-r more.txt\n--only-binary :all:\n-i https://files.example/simple\n")
	write(t, dir, "inc.txt", "h11<1\n")
	write(t, dir, "more.txt", "sniffio\n")
	py := write(t, dir, "pyproject.toml", "[project]\nname = \"x\"\nversion = \"1\"\nrequires-python = \">=3.10\"\ndependencies = [\"idna\"]\n[project.optional-dependencies]\nfast = [\"anyio\"]\nslow = [\"trio\"]\n")
	cons := write(t, dir, "cons.txt", "idna<4\n")
	over := write(t, dir, "over.txt", "idna==3.4\n")
	ins := append(FromPaths(reqfile.PyprojectOptions{Extras: []string{"fast"}}, req, py, "-"), WithRole(Constraint, cons)...)
	ins = append(ins, WithRole(Override, over)...)
	set, err := Load(ins, strings.NewReader("click\n"))
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"h11", "sniffio", "idna", "anyio", "click"}; !cmp.Equal(names(set.Requirements), want) {
		t.Errorf("requirements %q, want %q", names(set.Requirements), want)
	}
	if want := []string{"h11<1", "idna<4"}; !cmp.Equal(names(set.Constraints), want) {
		t.Errorf("constraints %q, want %q", names(set.Constraints), want)
	}
	if want := []string{"idna==3.4"}; !cmp.Equal(names(set.Overrides), want) {
		t.Errorf("overrides %q, want %q", names(set.Overrides), want)
	}
	var read []string
	for _, f := range set.Files {
		read = append(read, filepath.Base(f.Path))
	}
	if want := []string{"req.txt", "inc.txt", "more.txt", "pyproject.toml", "-", "cons.txt", "over.txt"}; !cmp.Equal(read, want) {
		t.Errorf("files %q, want %q", read, want)
	}
	if set.IndexURL != "https://files.example/simple" || set.RequiresPython != ">=3.10" || len(set.Format.OnlyBinary) != 1 {
		t.Errorf("options: index %q, requires-python %q, only-binary %q", set.IndexURL, set.RequiresPython, set.Format.OnlyBinary)
	}
	if ins[1].Role != Pyproject || ins[0].Role != Requirements || ins[2].Role != Requirements {
		t.Errorf("FromPaths roles: %+v", ins[:3])
	}
}

func TestLoadStdinOnce(t *testing.T) {
	set, err := Load(FromPaths(reqfile.PyprojectOptions{}, "-", "-"), strings.NewReader("h11\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(set.Files) != 1 || len(set.Requirements) != 2 {
		t.Errorf("stdin twice: %d files, %d requirements; want 1 file read, its requirement twice", len(set.Files), len(set.Requirements))
	}
}

func TestLoadErrorsNameTheFile(t *testing.T) {
	dir := t.TempDir()
	bad := write(t, dir, "bad.txt", "h11\nnot a requirement ===\n")
	for _, tc := range []struct {
		in   Input
		want string
	}{
		{Input{Path: filepath.Join(dir, "missing.txt"), Role: Requirements}, "cannot read " + filepath.Join(dir, "missing.txt")},
		{Input{Path: bad, Role: Constraint}, "bad.txt:2"},
	} {
		_, err := Load([]Input{tc.in}, nil)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want it to contain %q", tc.in.Path, err, tc.want)
		}
	}
}

func TestHashContents(t *testing.T) {
	a := HashContents([][]byte{[]byte("numpy\n"), []byte("x")})
	if a != HashContents([][]byte{[]byte("numpy\n"), []byte("x")}) {
		t.Error("not deterministic")
	}
	if a == HashContents([][]byte{[]byte("x"), []byte("numpy\n")}) {
		t.Error("order ignored")
	}
	if a == HashContents([][]byte{[]byte("numpy\nx")}) {
		t.Error("file boundaries ignored")
	}
	if len(a) != len("sha256:")+64 {
		t.Errorf("shape: %q", a)
	}
}
