package pylock

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/pylock/pylock/lockfile"
)

// Output formats of `pylock resolve`.
const (
	FormatTOML         = "toml"         // PEP 751 pylock.toml
	FormatRequirements = "requirements" // pinned requirements with hashes
	FormatJSON         = "json"         // JSON report
)

// FormatFor picks the output format: override when set, else from the
// path's extension (.toml, .txt, .json; "-" is TOML). "" means unknown.
func FormatFor(path, override string) string {
	if override != "" {
		switch override {
		case FormatTOML, FormatRequirements, FormatJSON:
			return override
		}
		return ""
	}
	if path == "-" {
		return FormatTOML
	}
	switch strings.ToLower(filepath.Ext(path)) {
	case ".toml":
		return FormatTOML
	case ".txt":
		return FormatRequirements
	case ".json":
		return FormatJSON
	}
	return ""
}

// Render renders l in format (pinned requirements name l.Tool.Command as
// the way to regenerate them).
func Render(l *lockfile.Lock, format string) ([]byte, error) {
	switch format {
	case FormatTOML:
		return l.MarshalTOML()
	case FormatRequirements:
		return lockfile.RenderRequirements(l, ""), nil
	case FormatJSON:
		return lockfile.RenderJSON(l, nil)
	}
	return nil, fmt.Errorf("unknown format %q: want toml, requirements or json", format)
}
