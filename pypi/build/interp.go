package build

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"time"
)

// Interpreter is the Python that runs builds.
type Interpreter struct {
	Path    string // absolute
	Version string // platform.python_version(), e.g. "3.11.7"
}

// ErrNoInterpreter is wrapped when no Python can be found for a build.
var ErrNoInterpreter = errors.New("no Python interpreter found to build metadata: pass --python PATH, or --no-build to use only static metadata")

const probeScript = `import json, platform, sys
print(json.dumps({"exe": sys.executable, "version": platform.python_version()}))`

// FindInterpreter locates python (a path or a name on PATH; "" tries
// python3, then python) and asks it for its version.
func FindInterpreter(ctx context.Context, python string) (*Interpreter, error) {
	cands := []string{python}
	if python == "" {
		cands = []string{"python3", "python"}
	}
	var path string
	for _, c := range cands {
		if p, err := exec.LookPath(c); err == nil {
			path = p
			break
		}
	}
	if path == "" {
		if python != "" {
			return nil, fmt.Errorf("--python %s: not found or not executable: %w", python, ErrNoInterpreter)
		}
		return nil, fmt.Errorf("python3 is not on PATH: %w", ErrNoInterpreter)
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	// -S: the question needs only the standard library, and the site
	// module's imports would double the interpreter's start-up (~30 ms).
	out, err := exec.CommandContext(ctx, path, "-I", "-S", "-c", probeScript).Output()
	if err != nil {
		return nil, fmt.Errorf("%s does not run as Python (%v): %w", path, err, ErrNoInterpreter)
	}
	var p struct{ Exe, Version string }
	if err := json.Unmarshal([]byte(strings.TrimSpace(string(out))), &p); err != nil || p.Version == "" {
		return nil, fmt.Errorf("%s: unexpected answer %q: %w", path, out, ErrNoInterpreter)
	}
	if strings.HasPrefix(p.Version, "2.") {
		return nil, fmt.Errorf("%s is Python %s; builds need Python 3: %w", path, p.Version, ErrNoInterpreter)
	}
	if p.Exe != "" {
		path = p.Exe // skips launcher shims (pyenv) on every later call
	}
	return &Interpreter{Path: path, Version: p.Version}, nil
}
