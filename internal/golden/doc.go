// Package golden is the tests' golden-file check: output is compared with
// a file under testdata, and `go test ./pkg -update` rewrites the files
// for review. Every test package with golden files uses it, so there is
// one -update flag and one way to compare.
package golden
