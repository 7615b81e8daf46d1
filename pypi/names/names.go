// Package names implements PEP 503 / packaging "canonicalize_name" project
// name normalisation and validation (the core metadata Name rules).
package names

import (
	"fmt"
	"regexp"
	"strings"
)

var validName = regexp.MustCompile(`^(?i:[a-z0-9]|[a-z0-9][a-z0-9._-]*[a-z0-9])$`)
var runs = regexp.MustCompile(`[-_.]+`)

// Canonicalize returns the PEP 503 normalised form of name: lower-cased,
// with every run of "-", "_" and "." replaced by a single "-". Like
// packaging's canonicalize_name it does not validate.
func Canonicalize(name string) string {
	return runs.ReplaceAllString(strings.ToLower(name), "-")
}

// IsNormalized reports whether name is valid and already in canonical form.
func IsNormalized(name string) bool {
	return Validate(name) == nil && Canonicalize(name) == name && !strings.Contains(name, "--")
}

// Validate reports whether name is a valid project name.
func Validate(name string) error {
	if !validName.MatchString(name) {
		return fmt.Errorf("invalid project name %q: must start and end with a letter or digit and contain only letters, digits, '-', '_' and '.'", name)
	}
	return nil
}
