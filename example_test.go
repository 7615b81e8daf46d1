package pylock_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strings"

	"github.com/pylock/pylock"
	"github.com/pylock/pylock/lockfile"
	"github.com/pylock/pylock/pypi/inputs"
	"github.com/pylock/pylock/pypi/reqfile"
	"github.com/pylock/pylock/resolver"
)

// Another Go program locks a project: requirements from a reader (stdin
// here), the bundled local index, one target environment. Nothing goes to
// the network: testdata/index is a PEP 503 directory.
func Example() {
	opts := pylock.Options{
		Inputs:   inputs.FromPaths(reqfile.PyprojectOptions{}, "-"),
		Stdin:    strings.NewReader("fastapi==0.104.1\nidna<3.6\n"),
		IndexURL: "testdata/index",
		Target:   pylock.TargetSpec{PythonVersion: "3.12", Platform: "linux"},
		NoCache:  true,
		Getenv:   func(string) string { return "" }, // ignore PIP_INDEX_URL and friends
	}
	res, err := pylock.Resolve(context.Background(), opts)
	if err != nil {
		log.Fatalf("%s failure: %v", pylock.KindOf(err), err)
	}
	for _, p := range res.Lock.Packages {
		fmt.Println(p.Name, p.Version)
	}
	// Output:
	// annotated-types 0.6.0
	// anyio 3.7.1
	// fastapi 0.104.1
	// idna 3.4
	// pydantic 2.5.2
	// pydantic-core 2.14.5
	// sniffio 1.3.0
	// starlette 0.27.0
	// typing-extensions 4.9.0
}

// A failure says what kind it is; the CLI maps kinds to exit codes.
func ExampleKindOf() {
	_, err := pylock.Resolve(context.Background(), pylock.Options{
		Inputs:   inputs.FromPaths(reqfile.PyprojectOptions{}, "-"),
		Stdin:    strings.NewReader("fastapi==0.104.1\nstarlette>=1\n"),
		IndexURL: "testdata/index",
		Target:   pylock.TargetSpec{PythonVersion: "3.12", Platform: "linux"},
		NoCache:  true,
		Getenv:   func(string) string { return "" },
	})
	fmt.Println(pylock.KindOf(err))
	// Output: no-solution
}

// Writing the lock: Result.Lock is a lockfile.Lock; MarshalTOML gives the
// PEP 751 bytes (deterministic) and lockfile.WriteFileAtomic replaces the
// file atomically. A conflict is a *resolver.NoSolutionError inside the
// *pylock.Error, with the explanation the CLI prints.
func Example_writeLock() {
	dir, err := os.MkdirTemp("", "pylock-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "pylock.toml")
	res, err := pylock.Resolve(context.Background(), pylock.Options{
		Inputs:   inputs.FromPaths(reqfile.PyprojectOptions{}, "-"),
		Stdin:    strings.NewReader("idna==3.6\n"),
		IndexURL: "testdata/index",
		Target:   pylock.TargetSpec{PythonVersion: "3.12", Platform: "linux"},
		LockPath: path, // inputs are recorded relative to it
		NoCache:  true,
		Getenv:   func(string) string { return "" },
	})
	var conflict *resolver.NoSolutionError
	if errors.As(err, &conflict) {
		log.Fatalf("no solution:\n%s", conflict.Explanation)
	} else if err != nil {
		log.Fatal(err)
	}
	data, err := res.Lock.MarshalTOML()
	if err != nil {
		log.Fatal(err)
	}
	if err := lockfile.WriteFileAtomic(path, data); err != nil {
		log.Fatal(err)
	}
	back, err := lockfile.ReadFileValid(path)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(back.LockVersion, back.Environments[0])
	for _, p := range back.Packages {
		fmt.Println(p.Name, p.Version, len(p.Wheels), "wheel(s)")
	}
	// Output:
	// 1.0 sys_platform == "linux" and platform_machine == "x86_64" and python_version == "3.12" and implementation_name == "cpython"
	// idna 3.6 1 wheel(s)
}
