package main

import (
	"bytes"
	"encoding/csv"
	"strings"

	"github.com/spf13/pflag"
)

// stringsValue is a repeatable string flag: each use appends one value,
// commas included (pflag's StringArray semantics, type name and text).
// pflag's own StringArray renders its default through a CSV writer with a
// 4 KB buffer when the flag is defined, for every such flag of every
// command, at every start; this one renders only when asked.
type stringsValue struct {
	p       *[]string
	changed bool
}

func (s *stringsValue) Set(v string) error {
	if !s.changed {
		*s.p = []string{v}
		s.changed = true
	} else {
		*s.p = append(*s.p, v)
	}
	return nil
}

// Type is pflag's name for the type: help and shell completion go by it.
func (s *stringsValue) Type() string { return "stringArray" }

// String is the values as pflag's StringArray writes them: "[a,b]", CSV
// quoted.
func (s *stringsValue) String() string {
	if len(*s.p) == 0 {
		return "[]"
	}
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	_ = w.Write(*s.p)
	w.Flush()
	return "[" + strings.TrimSuffix(b.String(), "\n") + "]"
}

// Append, Replace and GetSlice make it a pflag.SliceValue.
func (s *stringsValue) Append(v string) error {
	*s.p = append(*s.p, v)
	return nil
}

func (s *stringsValue) Replace(vs []string) error {
	*s.p = append(make([]string, 0, len(vs)), vs...)
	return nil
}

func (s *stringsValue) GetSlice() []string { return append([]string{}, *s.p...) }

// stringsFlag defines a repeatable string flag bound to p (initially
// empty), with an optional one-letter shorthand; the usage text names the
// value in backquotes, as for pflag's flags. The default is recorded as
// empty text, which pflag's help treats as "no default", as it does for an
// empty StringArray.
func stringsFlag(fl *pflag.FlagSet, p *[]string, name, shorthand, usage string) {
	*p = nil
	fl.AddFlag(&pflag.Flag{Name: name, Shorthand: shorthand, Usage: usage, Value: &stringsValue{p: p}})
}
