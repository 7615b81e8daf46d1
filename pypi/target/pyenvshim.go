package target

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"

	"github.com/pylock/pylock/internal/crcentry"
)

// pyenv shims, cached
//
// A pyenv shim ($PYENV_ROOT/shims/python3, a bash script) runs
// `pyenv exec`, which picks the interpreter at each start: PYENV_VERSION,
// else the nearest .python-version above PYENV_DIR (default: the working
// directory) or the working directory, else $PYENV_ROOT/version; a version
// named there is a directory of $PYENV_ROOT/versions (a prefix such as
// 3.12 is the newest 3.12.x installed there), "system" is the python3 on
// PATH after the shims, and hook scripts may take part. Asking it costs
// ~40 ms of bash before the interpreter even starts, so its choice is
// cached too, under every input that choice reads: the shim file itself
// (it names PYENV_ROOT and pyenv's executable), those environment
// variables, the working directory and PATH, every .python-version on the
// way up from the directories pyenv searches, the global version file, and
// the modification times of the directories that list the installed
// versions, pyenv's commands and its hooks. The entry (a pointer) names
// the interpreter the shim started last time (the probe reports
// sys.executable); that interpreter's probe is cached as any
// interpreter's is (its resolved path, size and modification time), so a
// rebuilt or reinstalled interpreter is probed again. When the interpreter
// the pointer names has no cached probe, the shim is asked again. A change
// no input shows (a hook script edited in place) is missed until one of
// them changes or the cache is cleaned; PYENV_VERSION, `pyenv local`,
// `pyenv global`, `pyenv shell`, installing or removing a version, moving
// to another directory or changing PATH are all seen.
//
// Other scripts (asdf shims, wrappers) are still probed every time: what
// they read is not known.

// shimMagic starts every pointer entry.
const shimMagic = "pylock-interp-shim-v1 "

// pyenvShimRoot matches the line of a pyenv shim that names PYENV_ROOT.
var pyenvShimRoot = regexp.MustCompile(`(?m)^export PYENV_ROOT="([^"\n]+)"$`)

// pyenvShimExec matches the line of a pyenv shim that hands over to pyenv.
var pyenvShimExec = regexp.MustCompile(`(?m)^exec "[^"\n]*/libexec/pyenv" exec "\$program" "\$@"$`)

// pyenvShim reports whether the file at path is a pyenv shim, with the
// shim's text and the PYENV_ROOT it sets.
func pyenvShim(path string) (text []byte, root string, ok bool) {
	st, err := os.Stat(path)
	if err != nil || !st.Mode().IsRegular() || st.Size() > 16<<10 {
		return nil, "", false
	}
	text, err = os.ReadFile(path)
	if err != nil || !bytes.HasPrefix(text, []byte("#!")) || !pyenvShimExec.Match(text) {
		return nil, "", false
	}
	m := pyenvShimRoot.FindSubmatch(text)
	if m == nil {
		return nil, "", false
	}
	return text, string(m[1]), true
}

// shimEntryPath returns where the pointer for the pyenv shim at path (as
// found on PATH) is kept under cacheDir, keyed by everything pyenv reads
// to choose the interpreter; "" without a cache or when path is not a pyenv
// shim.
func shimEntryPath(cacheDir, path string) string {
	if cacheDir == "" {
		return ""
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return ""
	}
	text, root, ok := pyenvShim(abs)
	if !ok {
		return ""
	}
	wd, err := os.Getwd()
	if err != nil {
		return ""
	}
	h := sha256.New()
	field := func(s string) { fmt.Fprintf(h, "%d:%s\x00", len(s), s) }
	field(probeScript)
	field("pyenv-shim")
	field(abs)
	field(string(text))
	field(root)
	field(runtime.GOOS)
	field(kernelID())
	field(wd)
	for _, k := range []string{"PYENV_VERSION", "PYENV_DIR", "PYENV_HOOK_PATH", "PATH"} {
		v, set := os.LookupEnv(k)
		field(fmt.Sprintf("%s=%t:%s", k, set, v))
	}
	// Every .python-version on the way up from the directories pyenv
	// searches (more than the one it reads: harmless, and no need to
	// copy its search order), then the global version file.
	starts := []string{wd}
	if d := os.Getenv("PYENV_DIR"); d != "" {
		if d, err := filepath.Abs(d); err == nil {
			starts = append(starts, d)
		}
	}
	for _, start := range starts {
		for d := start; ; d = filepath.Dir(d) {
			fileField(field, filepath.Join(d, ".python-version"))
			if filepath.Dir(d) == d {
				break
			}
		}
	}
	fileField(field, filepath.Join(root, "version"))
	// What lists the installed versions, pyenv's commands, its hooks.
	dirs := []string{
		filepath.Join(root, "versions"), filepath.Join(root, "libexec"),
		filepath.Join(root, "plugins"), filepath.Join(root, "pyenv.d"),
		"/usr/local/etc/pyenv.d", "/etc/pyenv.d", "/usr/lib/pyenv/hooks",
	}
	plugins, _ := filepath.Glob(filepath.Join(root, "plugins", "*", "etc", "pyenv.d"))
	sort.Strings(plugins)
	for _, d := range append(dirs, plugins...) {
		if st, err := os.Stat(d); err == nil {
			field(fmt.Sprintf("%s %d", d, st.ModTime().UnixNano()))
		} else {
			field(d + " -")
		}
	}
	return filepath.Join(cacheDir, ProbeNamespace, "shim-"+hex.EncodeToString(h.Sum(nil)))
}

// fileField adds the file at path to the key, its path and contents, when
// it can be read; a missing file adds nothing, so one that appears (a new
// `pyenv local`) changes the key.
func fileField(field func(string), path string) {
	data, err := os.ReadFile(path)
	if err != nil {
		return
	}
	field(path)
	field(string(data))
}

// loadShimEntry returns the interpreter the pointer at path names; false
// when there is no usable pointer.
func loadShimEntry(path string) (string, bool) {
	if path == "" {
		return "", false
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return "", false
	}
	body, ok := crcentry.Decode(shimMagic, data)
	if !ok || len(body) == 0 || !filepath.IsAbs(string(body)) {
		return "", false
	}
	return string(body), true
}

// storeShimEntry points the entry at path to the interpreter exe.
// Failures are ignored: the entry only saves a run of the shim.
func storeShimEntry(path, exe string) {
	if path != "" && filepath.IsAbs(exe) {
		writeEntry(path, crcentry.Encode(shimMagic, []byte(exe)))
	}
}
