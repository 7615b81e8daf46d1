package pylock

import (
	"fmt"

	"github.com/pylock/pylock/pypi/index"
	"github.com/pylock/pylock/pypi/reqfile"
	"github.com/pylock/pylock/resolver"
)

// ParsePrerelease parses a pre-release mode ("" is the default,
// if-necessary-or-explicit).
func ParsePrerelease(s string) (resolver.PrereleaseMode, error) {
	switch m := resolver.PrereleaseMode(s); m {
	case "":
		return resolver.PrereleaseIfNecessaryOrExplicit, nil
	case resolver.PrereleaseIfNecessaryOrExplicit, resolver.PrereleaseDisallow, resolver.PrereleaseAllow,
		resolver.PrereleaseIfNecessary, resolver.PrereleaseExplicit:
		return m, nil
	}
	return "", fmt.Errorf("invalid --prerelease %q: want disallow, allow, if-necessary, explicit or if-necessary-or-explicit", s)
}

// ParseResolution parses a resolution mode ("" is highest).
func ParseResolution(s string) (resolver.ResolutionMode, error) {
	switch m := resolver.ResolutionMode(s); m {
	case "":
		return resolver.ResolutionHighest, nil
	case resolver.ResolutionHighest, resolver.ResolutionLowest, resolver.ResolutionLowestDirect:
		return m, nil
	}
	return "", fmt.Errorf("invalid --resolution %q: want highest, lowest or lowest-direct", s)
}

// ParseIndexStrategy parses an index strategy ("" is first-index).
func ParseIndexStrategy(s string) (index.Strategy, error) {
	switch m := index.Strategy(s); m {
	case "", index.FirstIndex:
		return index.FirstIndex, nil
	case index.UnsafeBestMatch:
		return m, nil
	}
	return "", fmt.Errorf("invalid --index-strategy %q: want first-index or unsafe-best-match", s)
}

// ApplyFormatControl adds --only-binary and --no-binary values (names,
// comma lists, ":all:", ":none:"), in that order, to fc.
func ApplyFormatControl(fc *reqfile.FormatControl, onlyBinary, noBinary []string) error {
	for _, v := range onlyBinary {
		if err := fc.AddOnlyBinary(v); err != nil {
			return err
		}
	}
	for _, v := range noBinary {
		if err := fc.AddNoBinary(v); err != nil {
			return err
		}
	}
	return nil
}
