// Package reliability holds pylock's reliability measurements, run as Go
// tests and benchmarks against loopback servers:
//
//   - memory_test.go: peak RSS of `pylock resolve` while it downloads huge
//     wheels (no PEP 658 metadata, no Content-Length, no Range support)
//     that a loopback server generates on the fly;
//   - soak_test.go: concurrent `pylock resolve` processes sharing one cache
//     against ../shared/bench/pyindex.py with injected faults, then
//     --offline re-runs; every lock must equal its fault-free lock.
//
// The tests run small in CI; the benchmarks and PYLOCK_SOAK_* variables
// give the larger figures recorded in the README (see the files).
package reliability
