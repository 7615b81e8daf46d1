package reliability

import (
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	"github.com/pylock/pylock/internal/testenv"
)

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
	buildOut  []byte
	buildDir  string
)

// pylockBinary builds cmd/pylock once per test process.
func pylockBinary(tb testing.TB) string {
	buildOnce.Do(func() {
		buildDir, buildErr = os.MkdirTemp("", "pylock-bench-")
		if buildErr != nil {
			return
		}
		binPath = filepath.Join(buildDir, "pylock")
		cmd := exec.Command("go", "build", "-o", binPath, "./cmd/pylock")
		cmd.Dir = testenv.ModuleRoot()
		buildOut, buildErr = cmd.CombinedOutput()
	})
	if buildErr != nil {
		tb.Fatalf("building pylock: %v\n%s", buildErr, buildOut)
	}
	return binPath
}

func TestMain(m *testing.M) {
	code := m.Run()
	if buildDir != "" {
		os.RemoveAll(buildDir)
	}
	os.Exit(code)
}
