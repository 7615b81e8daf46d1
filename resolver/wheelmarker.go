package resolver

import "github.com/pylock/pylock/pypi/pep508"

// WheelMarker returns the marker of the environments a wheel can run in, as
// far as its file name's tags tell (the mapping --required-environment
// checks with): the Or over its tags of the platform (sys_platform, and
// platform_machine where the tag names one) and the interpreter (Python
// version, implementation). A name or tag it cannot read gives the true
// marker (anywhere), so a wheel is never judged unusable by mistake.
func WheelMarker(filename string) pep508.Marker { return wheelMarker(filename) }
