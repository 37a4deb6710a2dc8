/*===- files.c - reading and replacing files safely -----------------------===//
 *
 * Part of the mlc runtime core; see files.h.
 *
 *===----------------------------------------------------------------------===*/

#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L /* O_CLOEXEC, openat-era POSIX */
#endif

#include "runtime/core/files.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *mlcFileKind(mode_t mode) {
  if (S_ISDIR(mode))
    return "a directory";
  if (S_ISLNK(mode))
    return "a symbolic link";
  if (S_ISCHR(mode))
    return "a character device";
  if (S_ISBLK(mode))
    return "a block device";
  if (S_ISFIFO(mode))
    return "a FIFO";
  if (S_ISSOCK(mode))
    return "a socket";
  return "not a regular file";
}

MLC_CORE_FN int mlcReadRegularFile(const char *path, uint64_t maxBytes,
                                   unsigned char **bytes, size_t *size,
                                   char *error, size_t errorSize) {
  *bytes = NULL;
  *size = 0;
  /* Non-blocking, so opening a FIFO returns at once; then fstat says what
   * was opened before anything is read. */
  int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    snprintf(error, errorSize, "%s", strerror(errno));
    return MLC_CORE_IO;
  }
  struct stat info;
  if (fstat(fd, &info) != 0) {
    snprintf(error, errorSize, "%s", strerror(errno));
    close(fd);
    return MLC_CORE_IO;
  }
  if (!S_ISREG(info.st_mode)) {
    snprintf(error, errorSize, "%s, not a regular file",
             mlcFileKind(info.st_mode));
    close(fd);
    return MLC_CORE_IO;
  }
  uint64_t length = (uint64_t)info.st_size;
  if (length > maxBytes || length >= SIZE_MAX) {
    snprintf(error, errorSize,
             "the file has %llu bytes, more than the %llu this reader takes",
             (unsigned long long)length, (unsigned long long)maxBytes);
    close(fd);
    return MLC_CORE_IO;
  }
  unsigned char *buffer = malloc((size_t)length + 1);
  if (!buffer) {
    snprintf(error, errorSize, "out of memory (%llu bytes)",
             (unsigned long long)length);
    close(fd);
    return MLC_CORE_MEMORY;
  }
  /* Read what fstat promised; a file that shrinks meanwhile reads short. */
  size_t n = 0;
  while (n < (size_t)length) {
    ssize_t got = read(fd, buffer + n, (size_t)length - n);
    if (got < 0 && (errno == EINTR || errno == EAGAIN))
      continue;
    if (got <= 0) {
      int e = got < 0 ? errno : 0;
      snprintf(error, errorSize, "%s",
               e ? strerror(e) : "the file shrank while it was read");
      free(buffer);
      close(fd);
      return MLC_CORE_IO;
    }
    n += (size_t)got;
  }
  close(fd);
  buffer[n] = 0;
  *bytes = buffer;
  *size = n;
  return MLC_CORE_OK;
}

MLC_CORE_FN int mlcCheckReplaceable(const char *path, char *error,
                                    size_t errorSize) {
  struct stat info;
  if (lstat(path, &info) != 0 || S_ISREG(info.st_mode))
    return MLC_CORE_OK; /* missing (the write says why if it can't) */
  if (S_ISDIR(info.st_mode))
    snprintf(error, errorSize, "it is a directory");
  else
    snprintf(error, errorSize,
             "it is %s, which writing would replace with a regular file "
             "(outputs are renamed into place)",
             mlcFileKind(info.st_mode));
  return MLC_CORE_IO;
}

MLC_CORE_FN void mlcRemoveStaleTemporaries(const char *path) {
  const char *slash = strrchr(path, '/');
  size_t dirLength = slash ? (size_t)(slash - path) : 0;
  const char *base = slash ? slash + 1 : path;
  size_t baseLength = strlen(base);
  char *dirName = malloc(dirLength + 2);
  if (!dirName)
    return;
  if (slash) {
    memcpy(dirName, path, dirLength ? dirLength : 1); /* "/x" is in "/" */
    dirName[dirLength ? dirLength : 1] = 0;
  } else {
    strcpy(dirName, ".");
  }
  DIR *dir = opendir(dirName);
  if (dir) {
    struct dirent *entry;
    while ((entry = readdir(dir))) {
      const char *name = entry->d_name;
      if (strncmp(name, base, baseLength) != 0 ||
          strncmp(name + baseLength, ".tmp-", 5) != 0 ||
          strlen(name + baseLength + 5) != 6)
        continue;
      size_t full = strlen(dirName) + strlen(name) + 2;
      char *victim = malloc(full);
      if (!victim)
        break;
      snprintf(victim, full, "%s/%s", dirName, name);
      struct stat info;
      if (lstat(victim, &info) == 0 && S_ISREG(info.st_mode))
        unlink(victim);
      free(victim);
    }
    closedir(dir);
  }
  free(dirName);
}
