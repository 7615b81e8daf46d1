// Package pypi is the root of pylock's Python packaging packages: PEP 440
// versions (pep440), PEP 508 requirements and markers (pep508), names
// (names), wheel filenames and tags (wheel), target environments (target),
// input files (reqfile) and the index client (index). The packages below it
// do no I/O except reqfile (reads input files) and index (talks to indexes).
package pypi
