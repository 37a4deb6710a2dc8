//===- ThreadCheck.cpp - can --threads N threads start? -------------------===//

#include "ThreadCheck.h"

#include "llvm/ADT/Twine.h"

#include <dlfcn.h>
#include <pthread.h>
#include <semaphore.h>

#include <vector>

using namespace llvm;

namespace {
/// The stack libomp gives each of its threads, OMP_STACKSIZE applied. The
/// JIT loaded libomp for any code with more than one thread, so it answers;
/// 8 MiB, its default, otherwise.
uint64_t openMPStackBytes() {
  using StackSize = size_t (*)();
  if (auto get = reinterpret_cast<StackSize>(
          ::dlsym(RTLD_DEFAULT, "kmp_get_stacksize_s")))
    if (size_t bytes = get())
      return bytes;
  return uint64_t(8) << 20;
}

/// The probe threads wait on `release` so that all of them exist at once.
void *waitForRelease(void *release) {
  sem_wait(static_cast<sem_t *>(release));
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
