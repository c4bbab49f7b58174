/*
 * A hostile program for the smoke-run boundary test (test/smoke.test.ts): built by the test with
 * `gcc -static`, put in an image, and run by a smoke run. It tries what root in a plain chroot
 * can do: the classic chroot escape (chroot into a subdirectory, climb out with "..", chroot
 * there), then reading a file of this machine (argv[1]), signalling this machine's PID 1, and
 * making a device node. Each attempt prints one line; the test asserts that every one fails.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

int main(int argc, char **argv) {
  if (argc < 2) return 2;
  mkdir("/.escape", 0755);
  if (chroot("/.escape") != 0) {
    printf("chroot: %s\n", strerror(errno));
  } else {
    for (int i = 0; i < 64; i++) (void)chdir("..");
    printf("second chroot: %s\n", chroot(".") == 0 ? "done" : strerror(errno));
  }
  FILE *f = fopen(argv[1], "r");
  if (f == NULL) {
    printf("open host file: %s\n", strerror(errno));
  } else {
    char line[256] = {0};
    if (fgets(line, sizeof line, f) == NULL) line[0] = 0;
    printf("HOST FILE READ: %s\n", line);
    fclose(f);
  }
  printf("kill 1: %s\n", kill(1, 0) == 0 ? "ALLOWED" : strerror(errno));
  printf("mknod: %s\n", mknod("/.escape-disk", S_IFBLK | 0600, makedev(8, 0)) == 0 ? "ALLOWED" : strerror(errno));
  printf("uid %d\n", (int)getuid());
  return 0;
}
