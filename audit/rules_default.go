// Code generated from abi_rules.toml by TestDefaultRulesMatchTOML (UPDATE=1 go test ./audit -run TestDefaultRulesMatchTOML); DO NOT EDIT.

package audit

import "time"

// defaultRuleSet is abi_rules.toml, compiled in (see DefaultRules).
var defaultRuleSet = []Rule{
	{
		Provider:     "numpy",
		Major:        2,
		FallbackDate: time.Date(2024, 6, 16, 0, 0, 0, 0, time.UTC),
		Reason:       "NumPy 2.0 changed the C ABI: extensions compiled against NumPy 1.x fail to import under NumPy 2.x",
		RebuiltWhen:  []string{"uploaded-after-release", "requires-new-major"},
	},
}
