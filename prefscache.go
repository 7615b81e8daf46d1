package pylock

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"

	"github.com/pylock/pylock/internal/crcentry"
	"github.com/pylock/pylock/pypi/pep440"
)

// The pins of a previous lock, cached by its content
//
// Decoding the previous lock (go-toml into a generic tree, then checking
// the type of every key) was the largest cost of a warm resolve outside the
// solver: ~0.1 ms of ~3.7 ms for a 4.5 KB lock. The pins readPreferences
// takes from it are a function of the lock's bytes alone, so they are kept
// in the cache directory under the SHA-256 of those bytes: a run whose
// previous lock is the one an earlier run read decodes a few lines instead.
// Only the pins of a lock that parsed are kept; one that does not is parsed,
// and warned about, every time.
//
// An entry is written in place (no temporary file that an interrupt could
// leave behind); a torn or damaged one fails its CRC-32 and is replaced.

// prefsNamespace names the entries' directory in the cache. Bump its version
// when what readPreferences takes from a lock changes (lockfile.Parse
// accepting less, another rule for which pins count).
const prefsNamespace = "prefs-v1"

// prefsMagic starts every entry.
const prefsMagic = "pylock-prefs-v1 "

// prefsEntryPath returns where the pins of a lock holding data are cached
// under cacheDir ("" without a cache).
func prefsEntryPath(cacheDir string, data []byte) string {
	if cacheDir == "" {
		return ""
	}
	sum := sha256.Sum256(data)
	return filepath.Join(cacheDir, prefsNamespace, hex.EncodeToString(sum[:]))
}

// loadPrefsEntry reads the pins cached at path; false when there is no
// usable entry.
func loadPrefsEntry(path string) (map[string]pep440.Version, bool) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, false
	}
	return decodePins(data)
}

// storePrefsEntry caches pins (canonical name -> version as the lock
// spells it) at path. Failures are ignored: the entry only saves work.
func storePrefsEntry(path string, pins map[string]string) {
	data, ok := encodePins(pins)
	if !ok {
		return
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return
	}
	_ = os.WriteFile(path, data, 0o644)
}

// encodePins renders pins as an entry: the magic and the CRC-32 (IEEE, 8
// hex digits) of the rest on the first line, then "name==version" lines
// sorted by name. false when a name or version cannot be written so (a
// name holding '=' or a line break, a version holding a line break).
func encodePins(pins map[string]string) ([]byte, bool) {
	var body bytes.Buffer
	for _, n := range sortedKeys(pins) {
		v := pins[n]
		if n == "" || strings.ContainsAny(n, "=\r\n") || strings.ContainsAny(v, "\r\n") {
			return nil, false
		}
		body.WriteString(n)
		body.WriteString("==")
		body.WriteString(v)
		body.WriteByte('\n')
	}
	return crcentry.Encode(prefsMagic, body.Bytes()), true
}

// decodePins reads an entry written by encodePins; false when it is not one
// (wrong magic or checksum, a line that is not name==version, a version
// that does not parse).
func decodePins(data []byte) (map[string]pep440.Version, bool) {
	body, ok := crcentry.Decode(prefsMagic, data)
	if !ok {
		return nil, false
	}
	prefs := map[string]pep440.Version{}
	for len(body) > 0 {
		line, rest, ok := bytes.Cut(body, []byte{'\n'})
		if !ok {
			return nil, false // every line ends with a line break
		}
		body = rest
		n, v, ok := strings.Cut(string(line), "==")
		if !ok || n == "" {
			return nil, false
		}
		pv, err := pep440.Parse(v)
		if err != nil {
			return nil, false
		}
		prefs[n] = pv
	}
	return prefs, true
}
