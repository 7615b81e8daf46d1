package target

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/pylock/pylock/internal/crcentry"
)

// Interpreter probes, cached
//
// Probing python3 (FromInterpreter) starts the interpreter: 20-50 ms, ten
// times a warm resolve. Its answer depends on the interpreter and on the
// system it runs on, so it is kept in the cache directory under a key made
// of the probe script, the interpreter's resolved path, size and
// modification time (a new build is probed again; a venv's python3 is a
// link to its base interpreter and shares its entry), and the kernel's
// release and version where they can be read cheaply (Linux, macOS: the
// platform_release and platform_version markers and macOS's version follow
// them). A script on PATH (an asdf shim, a wrapper: it picks an
// interpreter at each start from what the key cannot see) is probed every
// time (isScript), except pyenv's shim, whose choice is cached under what
// pyenv reads to make it (pyenvshim.go). A change the key cannot see (another C library under the same
// interpreter file) is missed until the interpreter changes or the cache
// is cleaned (pylock cache clean).
//
// An entry is written in place (no temporary file that an interrupt could
// leave behind); a torn or damaged one fails its CRC-32 and is probed and
// replaced.

// ProbeNamespace names the entries' directory in the cache. Bump its
// version when the probe's output changes meaning.
const ProbeNamespace = "interp-v1"

// probeMagic starts every entry.
const probeMagic = "pylock-interp-v1 "

// probeEntryPath returns where the probe of the interpreter at path (as
// found on PATH) is cached under cacheDir; "" without a cache or when the
// interpreter cannot be identified.
func probeEntryPath(cacheDir, path string) string {
	if cacheDir == "" {
		return ""
	}
	real, err := filepath.EvalSymlinks(path)
	if err != nil {
		return ""
	}
	if abs, err := filepath.Abs(real); err == nil {
		real = abs
	}
	st, err := os.Stat(real)
	if err != nil || !st.Mode().IsRegular() || isScript(real) {
		return ""
	}
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00%d\x00%d\x00%s\x00%s", probeScript, real, st.Size(), st.ModTime().UnixNano(), runtime.GOOS, kernelID())
	return filepath.Join(cacheDir, ProbeNamespace, hex.EncodeToString(h.Sum(nil)))
}

// isScript reports whether the file at path is a script ("#!" or a batch
// file): a shim (pyenv, asdf, a wrapper) picks the interpreter it starts
// each time from the environment and files the key does not see (pyenv's
// .python-version, PYENV_VERSION), so its probe is not cached under the
// script's own identity (a pyenv shim's is, under those: shimEntryPath).
func isScript(path string) bool {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".bat", ".cmd", ".ps1":
		return true
	}
	f, err := os.Open(path)
	if err != nil {
		return true
	}
	defer f.Close()
	var head [2]byte
	n, _ := io.ReadFull(f, head[:])
	return n == 2 && string(head[:]) == "#!"
}

// loadProbeEntry returns the probe output cached at path; false when there
// is no usable entry.
func loadProbeEntry(path string) ([]byte, bool) {
	if path == "" {
		return nil, false
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, false
	}
	return decodeProbeEntry(data)
}

// storeProbeEntry caches out at path. Failures are ignored: the entry
// only saves a probe.
func storeProbeEntry(path string, out []byte) {
	if path != "" {
		writeEntry(path, encodeProbeEntry(out))
	}
}

// writeEntry writes an entry in place, creating its directory; failures
// are ignored.
func writeEntry(path string, data []byte) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return
	}
	_ = os.WriteFile(path, data, 0o644)
}

// encodeProbeEntry renders out as an entry (crcentry).
func encodeProbeEntry(out []byte) []byte { return crcentry.Encode(probeMagic, out) }

// decodeProbeEntry returns the output an entry holds; false unless the
// magic and checksum match.
func decodeProbeEntry(data []byte) ([]byte, bool) { return crcentry.Decode(probeMagic, data) }
