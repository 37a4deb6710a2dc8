//===- CudaRuntime.cpp - mlc's C++ view of the mgpu.c shim ----------------===//

#include "runtime/cuda/CudaRuntime.h"

#include <map>
#include <mutex>

extern "C" {
int mlcCudaAvailable(const char **why);
const char *mlcCudaDevice(void);
void *mlcCudaAllocShared(size_t bytes);
void mlcCudaFree(void *pointer);
void mlcCudaSynchronize(void);
int mlcCudaTakeError(char *out, size_t size);
void *mgpuModuleLoad(void *, size_t);
void *mgpuModuleLoadJIT(void *, int);
void mgpuModuleUnload(void *);
void *mgpuModuleGetFunction(void *, const char *);
void mgpuLaunchKernel(void *, intptr_t, intptr_t, intptr_t, intptr_t, intptr_t,
                      intptr_t, int32_t, void *, void **, void **, size_t);
void *mgpuStreamCreate(void);
void mgpuStreamDestroy(void *);
void mgpuStreamSynchronize(void *);
void mgpuStreamWaitEvent(void *, void *);
void *mgpuEventCreate(void);
void mgpuEventDestroy(void *);
void mgpuEventSynchronize(void *);
void mgpuEventRecord(void *, void *);
void *mgpuMemAlloc(uint64_t, void *, bool);
void mgpuMemFree(void *, void *);
void mgpuMemcpy(void *, void *, size_t, void *);
void mgpuMemset32(void *, unsigned, size_t, void *);
void mgpuMemset16(void *, unsigned short, size_t, void *);
}

namespace {
/// allocateShared blocks, start -> size, for isShared.
std::mutex sharedMutex;
std::map<uintptr_t, size_t> &sharedBlocks() {
  static std::map<uintptr_t, size_t> blocks;
  return blocks;
}
} // namespace

namespace mlc::cuda {

bool available(std::string &why) {
  const char *text = nullptr;
  bool ok = mlcCudaAvailable(&text) != 0;
  why = text ? text : "";
  return ok;
}

std::string deviceDescription() { return mlcCudaDevice(); }

void *allocateShared(size_t bytes) {
  void *pointer = mlcCudaAllocShared(bytes);
  if (pointer) {
    std::lock_guard<std::mutex> lock(sharedMutex);
    sharedBlocks()[uintptr_t(pointer)] = bytes;
  }
  return pointer;
}

void freeShared(void *pointer) {
  if (!pointer)
    return;
  {
    std::lock_guard<std::mutex> lock(sharedMutex);
    sharedBlocks().erase(uintptr_t(pointer));
  }
  mlcCudaFree(pointer);
}

bool isShared(const void *pointer, size_t bytes) {
  std::lock_guard<std::mutex> lock(sharedMutex);
  auto &blocks = sharedBlocks();
  auto it = blocks.upper_bound(uintptr_t(pointer));
  if (it == blocks.begin())
    return false;
  --it;
  return uintptr_t(pointer) + bytes <= it->first + it->second;
}

void synchronize() { mlcCudaSynchronize(); }

std::string takeError() {
  char text[512];
  return mlcCudaTakeError(text, sizeof text) ? std::string(text) : "";
}

std::vector<std::pair<const char *, void *>> runtimeSymbols() {
  auto entry = [](const char *name, auto *fn) {
    return std::pair<const char *, void *>(name, reinterpret_cast<void *>(fn));
  };
  return {entry("mgpuModuleLoad", &mgpuModuleLoad),
          entry("mgpuModuleLoadJIT", &mgpuModuleLoadJIT),
          entry("mgpuModuleUnload", &mgpuModuleUnload),
          entry("mgpuModuleGetFunction", &mgpuModuleGetFunction),
          entry("mgpuLaunchKernel", &mgpuLaunchKernel),
          entry("mgpuStreamCreate", &mgpuStreamCreate),
          entry("mgpuStreamDestroy", &mgpuStreamDestroy),
          entry("mgpuStreamSynchronize", &mgpuStreamSynchronize),
          entry("mgpuStreamWaitEvent", &mgpuStreamWaitEvent),
          entry("mgpuEventCreate", &mgpuEventCreate),
          entry("mgpuEventDestroy", &mgpuEventDestroy),
          entry("mgpuEventSynchronize", &mgpuEventSynchronize),
          entry("mgpuEventRecord", &mgpuEventRecord),
          entry("mgpuMemAlloc", &mgpuMemAlloc),
          entry("mgpuMemFree", &mgpuMemFree),
          entry("mgpuMemcpy", &mgpuMemcpy),
          entry("mgpuMemset32", &mgpuMemset32),
          entry("mgpuMemset16", &mgpuMemset16)};
}

} // namespace mlc::cuda
