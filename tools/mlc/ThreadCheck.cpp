//===- ThreadCheck.cpp - can --threads N threads start? -------------------===//

#include "ThreadCheck.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/ADT/Twine.h"

#include <dlfcn.h>
#include <pthread.h>
#include <semaphore.h>

#include <cstdlib>
#include <vector>

using namespace llvm;

uint64_t mlc::openMPStackBytes() {
  // The runtime's own answer, once the JIT has loaded it.
  using StackSize = size_t (*)();
  if (auto get = reinterpret_cast<StackSize>(
          ::dlsym(RTLD_DEFAULT, "kmp_get_stacksize_s")))
    if (size_t bytes = get())
      return bytes;
  // Debian's libomp 22 defaults to 8 MiB.
  const uint64_t fallback = 8ull << 20;
  const char *value = std::getenv("OMP_STACKSIZE");
  if (!value)
    value = std::getenv("KMP_STACKSIZE");
  if (!value)
    return fallback;
  StringRef text = StringRef(value).trim();
  uint64_t scale = 1024;
  if (!text.empty()) {
    switch (text.back() | 0x20) {
    case 'b':
      scale = 1;
      break;
    case 'k':
      scale = 1024;
      break;
    case 'm':
      scale = 1ull << 20;
      break;
    case 'g':
      scale = 1ull << 30;
      break;
    default:
      scale = 0;
    }
    if (scale)
      text = text.drop_back().trim();
    else
      scale = 1024;
  }
  uint64_t number = 0;
  if (text.getAsInteger(10, number) || number > (~0ull >> 1) / scale)
    return fallback;
  return number * scale;
}

namespace {
/// The probe threads wait on `release` so that all of them exist at once.
/// Each allocates as libomp's threads do, so that the C library's
/// per-thread malloc arenas (64 MiB of address space each) are reserved now
/// and counted; they outlive the probe and are reused.
void *waitForRelease(void *release) {
  void *block = std::malloc(64);
  sem_wait(static_cast<sem_t *>(release));
  std::free(block);
  return nullptr;
}
} // namespace

Error mlc::checkThreadsCanStart(unsigned threads) {
  if (threads <= 1)
    return Error::success();
  // Each libomp thread takes more address space than its stack (its own
  // data, the C library's arenas): measured under ulimit -v with 8 MiB
  // stacks, about 13 MiB per thread. Probe with 1.75 times the stack.
  uint64_t stack = openMPStackBytes();
  stack += stack / 2 + stack / 4;
  pthread_attr_t attr;
  if (pthread_attr_init(&attr) != 0)
    return Error::success();
  if (pthread_attr_setstacksize(&attr, stack) != 0) {
    pthread_attr_destroy(&attr);
    return Error::success();
  }
  sem_t release;
  sem_init(&release, 0, 0);
  std::vector<pthread_t> started;
  started.reserve(threads - 1);
  int failure = 0;
  for (unsigned i = 1; i < threads; ++i) {
    pthread_t thread;
    failure = pthread_create(&thread, &attr, waitForRelease, &release);
    if (failure)
      break;
    started.push_back(thread);
  }
  for (size_t i = 0; i < started.size(); ++i)
    sem_post(&release);
  for (pthread_t thread : started)
    pthread_join(thread, nullptr);
  sem_destroy(&release);
  pthread_attr_destroy(&attr);
  if (!failure)
    return Error::success();
  unsigned could = unsigned(started.size()) + 1;
  return createStringError(
      "--threads " + Twine(threads) + ": only " + Twine(could) + " of the " +
      Twine(threads) + " threads could start here (each needs about " +
      Twine(stack >> 20) +
      " MiB of address space for its stack, and the address-space or process "
      "limit, ulimit -v / ulimit -u, leaves no room for more); use --threads " +
      Twine(could > 1 ? could - 1 : 1) + " or fewer, or a smaller " +
      "OMP_STACKSIZE");
}
