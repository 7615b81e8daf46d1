// Package sdist reads the metadata of Python source distributions (.tar.gz,
// .zip) and source trees without running any Python, and unpacks sdists
// safely for a build.
//
// Static metadata comes from, in this order (PEP 643, PEP 621):
//
//  1. PKG-INFO with Metadata-Version 2.2 or later whose Requires-Dist,
//     Requires-Python and Provides-Extra are not marked Dynamic;
//  2. pyproject.toml's [project] table whose dependencies,
//     optional-dependencies and requires-python are not listed in dynamic
//     (the version may come from PKG-INFO or the sdist's filename).
//
// Anything else needs a PEP 517 build (package build); that is reported as
// a *NeedsBuildError, which wraps index.ErrNeedsBuild.
//
// Archives are read as untrusted input: member names with "..", absolute
// paths or drive letters are refused, symbolic and hard links are never
// created, and the number of members, each member's size and the total
// unpacked size are capped (Limits). Old *.egg-info/requires.txt files are
// deliberately ignored: setup.py may compute dependencies per platform.
package sdist
