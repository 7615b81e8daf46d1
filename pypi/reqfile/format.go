package reqfile

import (
	"fmt"
	"slices"
	"strings"

	"github.com/pylock/pylock/pypi/names"
)

// All is the ":all:" entry of a FormatControl list.
const All = ":all:"

// FormatControl is pip's --no-binary / --only-binary state: canonical
// project names, or All. The zero value allows every format.
type FormatControl struct {
	NoBinary   []string // sorted; never build from wheels for these
	OnlyBinary []string // sorted; never build from source for these
}

// AddNoBinary applies one --no-binary value ("a,b", ":all:", ":none:", ...)
// with pip's semantics: a name moves from OnlyBinary to NoBinary, ":all:"
// clears both lists first, ":none:" clears NoBinary.
func (fc *FormatControl) AddNoBinary(value string) error {
	return mutualExclude("--no-binary", value, &fc.NoBinary, &fc.OnlyBinary)
}

// AddOnlyBinary applies one --only-binary value; see AddNoBinary.
func (fc *FormatControl) AddOnlyBinary(value string) error {
	return mutualExclude("--only-binary", value, &fc.OnlyBinary, &fc.NoBinary)
}

// Allowed reports which formats pip may use for the project: name's own
// entry wins over ":all:", and OnlyBinary wins over NoBinary.
func (fc FormatControl) Allowed(name string) (binary, source bool) {
	n := names.Canonicalize(name)
	switch {
	case slices.Contains(fc.OnlyBinary, n):
		return true, false
	case slices.Contains(fc.NoBinary, n):
		return false, true
	case slices.Contains(fc.OnlyBinary, All):
		return true, false
	case slices.Contains(fc.NoBinary, All):
		return false, true
	}
	return true, true
}

// mutualExclude is pip's FormatControl.handle_mutual_excludes.
func mutualExclude(opt, value string, target, other *[]string) error {
	if strings.HasPrefix(value, "-") {
		return fmt.Errorf("%s needs a value (project names, %s or :none:), not %q", opt, All, value)
	}
	items := strings.Split(value, ",")
	for {
		i := slices.Index(items, All)
		if i < 0 {
			break
		}
		*other, *target = nil, []string{All}
		items = items[i+1:]
		if !slices.Contains(items, ":none:") {
			return nil
		}
	}
	for _, it := range items {
		switch it = strings.TrimSpace(it); it {
		case "":
		case ":none:":
			*target = nil
		default:
			n := names.Canonicalize(it)
			*other = slices.DeleteFunc(*other, func(s string) bool { return s == n })
			if len(*other) == 0 {
				*other = nil
			}
			if !slices.Contains(*target, n) {
				*target = append(*target, n)
				slices.Sort(*target)
			}
		}
	}
	return nil
}
