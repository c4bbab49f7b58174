// hello-go prints the platform it was built for: the Go runtime's GOOS/GOARCH, fixed at compile
// time by GOOS/GOARCH (the Dockerfile sets them from BuildKit's TARGETOS/TARGETARCH).
package main

import (
	"os"
	"runtime"
)

func main() {
	os.Stdout.WriteString("hello from " + runtime.GOOS + "/" + runtime.GOARCH + "\n")
}
