package main

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/pylock/pylock/lockfile"
)

// Output formats of `pylock resolve`: chosen here, at the CLI, from --format
// or the -o extension (package pylock only builds the Lock).
const (
	formatTOML         = "toml"         // PEP 751 pylock.toml
	formatRequirements = "requirements" // pinned requirements with hashes
	formatJSON         = "json"         // JSON report
)

// formatFor picks the output format: override when set, else from the
// path's extension (.toml, .txt, .json; "-" is TOML). "" means unknown.
func formatFor(path, override string) string {
	if override != "" {
		switch override {
		case formatTOML, formatRequirements, formatJSON:
			return override
		}
		return ""
	}
	if path == "-" {
		return formatTOML
	}
	switch strings.ToLower(filepath.Ext(path)) {
	case ".toml":
		return formatTOML
	case ".txt":
		return formatRequirements
	case ".json":
		return formatJSON
	}
	return ""
}

// render renders l in format (pinned requirements name l.Tool.Command as
// the way to regenerate them).
func render(l *lockfile.Lock, format string) ([]byte, error) {
	return renderWith(l, format, lockfile.RequirementsOptions{})
}

// renderWith is render with the pinned requirements' options
// (--no-emit-index-url, --no-emit-package).
func renderWith(l *lockfile.Lock, format string, ro lockfile.RequirementsOptions) ([]byte, error) {
	switch format {
	case formatTOML:
		return l.MarshalTOML()
	case formatRequirements:
		return lockfile.RenderRequirementsWith(l, ro), nil
	case formatJSON:
		return lockfile.RenderJSON(l, nil)
	}
	return nil, fmt.Errorf("unknown format %q: want toml, requirements or json", format)
}
