// A stand-in for Zasper (github.com/zasper-io/zasper) in anyarch's offline end-to-end tests: a
// tiny Go program that says which platform it was built for, so the test builds in seconds.
package main

import (
	"os"
	"runtime"
)

func main() {
	os.Stdout.WriteString("zasper (anyarch test copy) " + runtime.GOOS + "/" + runtime.GOARCH + "\n")
}
