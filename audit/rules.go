// Package audit checks a pylock lock against its inputs, an installed
// environment and the package index, and guards against ABI breaks such as a
// wheel compiled against NumPy 1.x paired with NumPy 2.x.
package audit

import (
	"fmt"
	"slices"
	"time"

	"github.com/pelletier/go-toml/v2"
	"github.com/pylock/pylock/pypi/names"
)

// Rule is one ABI rule: packages with compiled wheels depending on Provider
// and built before Provider's first release of Major are unsafe with it.
// RebuiltWhen lists the evidence that a dependent release was built for the
// new ABI (see the Evidence constants); empty means all of them.
type Rule struct {
	Provider     string    `toml:"provider"`
	Major        int       `toml:"major"`
	FallbackDate time.Time `toml:"fallback-date"`
	Reason       string    `toml:"reason"`
	RebuiltWhen  []string  `toml:"rebuilt-when"`
}

// The evidence a rule may accept that a dependent release was built against
// the provider's new major (Rule.RebuiltWhen).
const (
	// EvidenceUploadedAfter: a compiled wheel of the release was uploaded
	// on or after the provider's first release of the major.
	EvidenceUploadedAfter = "uploaded-after-release"
	// EvidenceRequiresNewMajor: the release's Requires-Dist on the
	// provider admits only the new major or later (it was built for it).
	EvidenceRequiresNewMajor = "requires-new-major"
)

// accepts reports whether r counts the evidence kind e.
func (r Rule) accepts(e string) bool {
	return len(r.RebuiltWhen) == 0 || slices.Contains(r.RebuiltWhen, e)
}

// DefaultRules returns the rules shipped with pylock (abi_rules.toml).
//
// They are compiled in (defaultRuleSet in rules_default.go, generated
// from abi_rules.toml by TestDefaultRulesMatchTOML, which fails when the
// two disagree): every resolve consults them, and decoding the TOML was
// ~1.5% of a warm resolve's wall time.
func DefaultRules() []Rule {
	out := make([]Rule, len(defaultRuleSet))
	for i, r := range defaultRuleSet {
		r.RebuiltWhen = slices.Clone(r.RebuiltWhen)
		out[i] = r
	}
	return out
}

// ParseRules reads a rules file in the abi_rules.toml format.
func ParseRules(data []byte) ([]Rule, error) {
	var doc struct {
		Rule []Rule `toml:"rule"`
	}
	dec := toml.NewDecoder(bytesReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("abi rules: %w", err)
	}
	for i := range doc.Rule {
		r := &doc.Rule[i]
		if r.Provider == "" || r.Major <= 0 {
			return nil, fmt.Errorf("abi rules: rule %d needs provider and a positive major", i+1)
		}
		r.Provider = names.Canonicalize(r.Provider)
		for _, e := range r.RebuiltWhen {
			if e != EvidenceUploadedAfter && e != EvidenceRequiresNewMajor {
				return nil, fmt.Errorf("abi rules: rule %d (%s): unknown rebuilt-when %q: want %q or %q", i+1, r.Provider, e, EvidenceUploadedAfter, EvidenceRequiresNewMajor)
			}
		}
	}
	return doc.Rule, nil
}
