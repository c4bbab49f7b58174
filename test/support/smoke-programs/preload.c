/*
 * A shared object an image names in its Env (LD_PRELOAD) for the smoke-run test
 * (test/smoke.test.ts), built by the test with `gcc -shared` for this machine: were any program
 * of this machine (a shell, unshare) started with the image's environment where this file is
 * reachable, its constructor would run this machine's code from the image and say so.
 */
#include <stdio.h>
#include <unistd.h>

__attribute__((constructor)) static void announce(void) {
  fprintf(stderr, "IMAGE CODE RAN OUTSIDE EMULATION in pid %d\n", (int)getpid());
}
