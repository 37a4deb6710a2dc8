//===- CudaRuntime.cpp - the CUDA driver, loaded on first use -------------===//

#include "runtime/cuda/CudaRuntime.h"

#include <cstdio>
#include <cstring>
#include <dlfcn.h>
#include <map>
#include <mutex>

namespace {

// The few driver API types mlc needs, declared here so that building mlc
// needs no CUDA headers.
using CUresult = int;
using CUdevice = int;
using CUdeviceptr = unsigned long long;
struct CUctx_st;
struct CUmod_st;
struct CUfunc_st;
struct CUstream_st;
struct CUevent_st;
using CUcontext = CUctx_st *;
using CUmodule = CUmod_st *;
using CUfunction = CUfunc_st *;
using CUstream = CUstream_st *;
using CUevent = CUevent_st *;
constexpr CUresult CUDA_SUCCESS = 0;
constexpr unsigned CU_MEM_ATTACH_GLOBAL = 1;
constexpr unsigned CU_STREAM_NON_BLOCKING = 1;
constexpr int CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR = 75;
constexpr int CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR = 76;

/// The driver's functions, resolved from libcuda.so.1.
struct Driver {
  CUresult (*cuInit)(unsigned);
  CUresult (*cuDriverGetVersion)(int *);
  CUresult (*cuDeviceGetCount)(int *);
  CUresult (*cuDeviceGet)(CUdevice *, int);
  CUresult (*cuDeviceGetName)(char *, int, CUdevice);
  CUresult (*cuDeviceGetAttribute)(int *, int, CUdevice);
  CUresult (*cuDevicePrimaryCtxRetain)(CUcontext *, CUdevice);
  CUresult (*cuCtxSetCurrent)(CUcontext);
  CUresult (*cuCtxSynchronize)();
  CUresult (*cuModuleLoadData)(CUmodule *, const void *);
  CUresult (*cuModuleUnload)(CUmodule);
  CUresult (*cuModuleGetFunction)(CUfunction *, CUmodule, const char *);
  CUresult (*cuLaunchKernel)(CUfunction, unsigned, unsigned, unsigned,
                             unsigned, unsigned, unsigned, unsigned, CUstream,
                             void **, void **);
  CUresult (*cuStreamCreate)(CUstream *, unsigned);
  CUresult (*cuStreamDestroy)(CUstream);
  CUresult (*cuStreamSynchronize)(CUstream);
  CUresult (*cuStreamWaitEvent)(CUstream, CUevent, unsigned);
  CUresult (*cuEventCreate)(CUevent *, unsigned);
  CUresult (*cuEventDestroy)(CUevent);
  CUresult (*cuEventRecord)(CUevent, CUstream);
  CUresult (*cuEventSynchronize)(CUevent);
  CUresult (*cuMemAlloc)(CUdeviceptr *, size_t);
  CUresult (*cuMemAllocManaged)(CUdeviceptr *, size_t, unsigned);
  CUresult (*cuMemFree)(CUdeviceptr);
  CUresult (*cuMemcpyAsync)(CUdeviceptr, CUdeviceptr, size_t, CUstream);
  CUresult (*cuMemsetD32Async)(CUdeviceptr, unsigned, size_t, CUstream);
  CUresult (*cuMemsetD16Async)(CUdeviceptr, unsigned short, size_t, CUstream);
  CUresult (*cuGetErrorName)(CUresult, const char **);
  CUresult (*cuGetErrorString)(CUresult, const char **);
};

struct State {
  std::mutex mutex;
  bool tried = false, ready = false;
  std::string why; // why not ready
  Driver driver{};
  CUdevice device = 0;
  CUcontext context = nullptr;
  std::string description;
  std::string error; // first failed call since takeError
  std::map<uintptr_t, size_t> shared; // allocateShared blocks: start, size
};

State &state() {
  static State s;
  return s;
}

/// Resolves `name` (or its _v2 form) into `slot`.
template <typename F> bool resolve(void *library, const char *name, F &slot) {
  std::string v2 = std::string(name) + "_v2";
  void *symbol = dlsym(library, v2.c_str());
  if (!symbol)
    symbol = dlsym(library, name);
  slot = reinterpret_cast<F>(symbol);
  return symbol != nullptr;
}

std::string describe(const Driver &d, CUresult result) {
  const char *name = nullptr, *text = nullptr;
  if (d.cuGetErrorName)
    d.cuGetErrorName(result, &name);
  if (d.cuGetErrorString)
    d.cuGetErrorString(result, &text);
  return std::string(name ? name : "CUDA error " + std::to_string(result)) +
         (text ? std::string(" (") + text + ")" : std::string());
}

/// Checks a driver call's result; keeps the first failure.
bool check(CUresult result, const char *call) {
  if (result == CUDA_SUCCESS)
    return true;
  State &s = state();
  std::lock_guard<std::mutex> lock(s.mutex);
  if (s.error.empty())
    s.error = std::string(call) + ": " + describe(s.driver, result);
  return false;
}

bool failed() {
  State &s = state();
  std::lock_guard<std::mutex> lock(s.mutex);
  return !s.ready || !s.error.empty();
}

bool load(State &s) {
  void *library = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
  if (!library) {
    const char *e = dlerror();
    s.why = std::string("the NVIDIA driver is not installed (") +
            (e ? e : "libcuda.so.1 not found") + ")";
    return false;
  }
  Driver &d = s.driver;
  bool ok = true;
#define MLC_RESOLVE(name) ok &= resolve(library, #name, d.name)
  MLC_RESOLVE(cuInit);
  MLC_RESOLVE(cuDriverGetVersion);
  MLC_RESOLVE(cuDeviceGetCount);
  MLC_RESOLVE(cuDeviceGet);
  MLC_RESOLVE(cuDeviceGetName);
  MLC_RESOLVE(cuDeviceGetAttribute);
  MLC_RESOLVE(cuDevicePrimaryCtxRetain);
  MLC_RESOLVE(cuCtxSetCurrent);
  MLC_RESOLVE(cuCtxSynchronize);
  MLC_RESOLVE(cuModuleLoadData);
  MLC_RESOLVE(cuModuleUnload);
  MLC_RESOLVE(cuModuleGetFunction);
  MLC_RESOLVE(cuLaunchKernel);
  MLC_RESOLVE(cuStreamCreate);
  MLC_RESOLVE(cuStreamDestroy);
  MLC_RESOLVE(cuStreamSynchronize);
  MLC_RESOLVE(cuStreamWaitEvent);
  MLC_RESOLVE(cuEventCreate);
  MLC_RESOLVE(cuEventDestroy);
  MLC_RESOLVE(cuEventRecord);
  MLC_RESOLVE(cuEventSynchronize);
  MLC_RESOLVE(cuMemAlloc);
  MLC_RESOLVE(cuMemAllocManaged);
  MLC_RESOLVE(cuMemFree);
  MLC_RESOLVE(cuMemcpyAsync);
  MLC_RESOLVE(cuMemsetD32Async);
  MLC_RESOLVE(cuMemsetD16Async);
  MLC_RESOLVE(cuGetErrorName);
  MLC_RESOLVE(cuGetErrorString);
#undef MLC_RESOLVE
  if (!ok) {
    s.why = "libcuda.so.1 lacks driver API functions mlc needs (driver too "
            "old?)";
    return false;
  }
  auto fail = [&](CUresult r, const char *call) {
    s.why = std::string(call) + ": " + describe(d, r);
    return false;
  };
  CUresult r;
  if ((r = d.cuInit(0)) != CUDA_SUCCESS)
    return fail(r, "cuInit");
  int count = 0;
  if ((r = d.cuDeviceGetCount(&count)) != CUDA_SUCCESS)
    return fail(r, "cuDeviceGetCount");
  if (count == 0) {
    s.why = "the NVIDIA driver found no CUDA device";
    return false;
  }
  if ((r = d.cuDeviceGet(&s.device, 0)) != CUDA_SUCCESS)
    return fail(r, "cuDeviceGet");
  if ((r = d.cuDevicePrimaryCtxRetain(&s.context, s.device)) != CUDA_SUCCESS)
    return fail(r, "cuDevicePrimaryCtxRetain");
  if ((r = d.cuCtxSetCurrent(s.context)) != CUDA_SUCCESS)
    return fail(r, "cuCtxSetCurrent");
  char name[256] = "";
  int major = 0, minor = 0, version = 0;
  d.cuDeviceGetName(name, sizeof name, s.device);
  d.cuDeviceGetAttribute(&major, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR,
                         s.device);
  d.cuDeviceGetAttribute(&minor, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR,
                         s.device);
  d.cuDriverGetVersion(&version);
  s.description = std::string(name) + " (sm_" + std::to_string(major) +
                  std::to_string(minor) + ", driver " +
                  std::to_string(version / 1000) + "." +
                  std::to_string(version % 1000 / 10) + ")";
  return true;
}

const Driver &driver() { return state().driver; }

/// Makes the context current on the calling thread (the JIT may call from
/// any thread).
bool current() {
  State &s = state();
  return s.ready && check(driver().cuCtxSetCurrent(s.context), "cuCtxSetCurrent");
}

} // namespace

namespace mlc::cuda {

bool available(std::string &why) {
  State &s = state();
  std::lock_guard<std::mutex> lock(s.mutex);
  if (!s.tried) {
    s.tried = true;
    s.ready = load(s);
  }
  why = s.why;
  return s.ready;
}

std::string deviceDescription() { return state().description; }

void *allocateShared(size_t bytes) {
  if (failed() || !current())
    return nullptr;
  CUdeviceptr pointer = 0;
  if (!check(driver().cuMemAllocManaged(&pointer, bytes ? bytes : 1,
                                        CU_MEM_ATTACH_GLOBAL),
             "cuMemAllocManaged"))
    return nullptr;
  State &s = state();
  std::lock_guard<std::mutex> lock(s.mutex);
  s.shared[uintptr_t(pointer)] = bytes;
  return reinterpret_cast<void *>(pointer);
}

void freeShared(void *pointer) {
  if (!pointer || !state().ready)
    return;
  {
    State &s = state();
    std::lock_guard<std::mutex> lock(s.mutex);
    s.shared.erase(uintptr_t(pointer));
  }
  check(driver().cuMemFree(reinterpret_cast<CUdeviceptr>(pointer)),
        "cuMemFree");
}

bool isShared(const void *pointer, size_t bytes) {
  State &s = state();
  std::lock_guard<std::mutex> lock(s.mutex);
  auto it = s.shared.upper_bound(uintptr_t(pointer));
  if (it == s.shared.begin())
    return false;
  --it;
  return uintptr_t(pointer) + bytes <= it->first + it->second;
}

void synchronize() {
  if (!failed() && current())
    check(driver().cuCtxSynchronize(), "cuCtxSynchronize");
}

std::string takeError() {
  State &s = state();
  std::lock_guard<std::mutex> lock(s.mutex);
  std::string e;
  std::swap(e, s.error);
  return e;
}

} // namespace mlc::cuda

//===----------------------------------------------------------------------===//
// The functions MLIR's gpu-to-llvm lowering calls.
//===----------------------------------------------------------------------===//

extern "C" {

void *mgpuModuleLoad(void *data, size_t /*size*/) {
  CUmodule module = nullptr;
  if (failed() || !current())
    return nullptr;
  check(driver().cuModuleLoadData(&module, data), "cuModuleLoadData");
  return module;
}

// PTX: the driver compiles it for the device at load.
void *mgpuModuleLoadJIT(void *data, int /*optLevel*/) {
  return mgpuModuleLoad(data, 0);
}

void mgpuModuleUnload(void *module) {
  if (module && state().ready)
    check(driver().cuModuleUnload(static_cast<CUmodule>(module)),
          "cuModuleUnload");
}

void *mgpuModuleGetFunction(void *module, const char *name) {
  CUfunction function = nullptr;
  if (failed() || !module)
    return nullptr;
  check(driver().cuModuleGetFunction(&function, static_cast<CUmodule>(module),
                                     name),
        "cuModuleGetFunction");
  return function;
}

void mgpuLaunchKernel(void *function, intptr_t gridX, intptr_t gridY,
                      intptr_t gridZ, intptr_t blockX, intptr_t blockY,
                      intptr_t blockZ, int32_t sharedBytes, void *stream,
                      void **params, void **extra, size_t /*paramCount*/) {
  if (failed() || !function || !current())
    return;
  check(driver().cuLaunchKernel(static_cast<CUfunction>(function), gridX, gridY,
                                gridZ, blockX, blockY, blockZ, sharedBytes,
                                static_cast<CUstream>(stream), params, extra),
        "cuLaunchKernel");
}

void *mgpuStreamCreate() {
  CUstream stream = nullptr;
  if (failed() || !current())
    return nullptr;
  check(driver().cuStreamCreate(&stream, CU_STREAM_NON_BLOCKING),
        "cuStreamCreate");
  return stream;
}

void mgpuStreamDestroy(void *stream) {
  if (stream && state().ready)
    check(driver().cuStreamDestroy(static_cast<CUstream>(stream)),
          "cuStreamDestroy");
}

void mgpuStreamSynchronize(void *stream) {
  if (!failed() && stream)
    check(driver().cuStreamSynchronize(static_cast<CUstream>(stream)),
          "cuStreamSynchronize");
}

void mgpuStreamWaitEvent(void *stream, void *event) {
  if (!failed())
    check(driver().cuStreamWaitEvent(static_cast<CUstream>(stream),
                                     static_cast<CUevent>(event), 0),
          "cuStreamWaitEvent");
}

void *mgpuEventCreate() {
  CUevent event = nullptr;
  if (!failed() && current())
    check(driver().cuEventCreate(&event, 0), "cuEventCreate");
  return event;
}

void mgpuEventDestroy(void *event) {
  if (event && state().ready)
    check(driver().cuEventDestroy(static_cast<CUevent>(event)),
          "cuEventDestroy");
}

void mgpuEventSynchronize(void *event) {
  if (!failed() && event)
    check(driver().cuEventSynchronize(static_cast<CUevent>(event)),
          "cuEventSynchronize");
}

void mgpuEventRecord(void *event, void *stream) {
  if (!failed() && event)
    check(driver().cuEventRecord(static_cast<CUevent>(event),
                                 static_cast<CUstream>(stream)),
          "cuEventRecord");
}

void *mgpuMemAlloc(uint64_t bytes, void * /*stream*/, bool hostShared) {
  if (hostShared)
    return mlc::cuda::allocateShared(bytes);
  CUdeviceptr pointer = 0;
  if (failed() || !current())
    return nullptr;
  check(driver().cuMemAlloc(&pointer, bytes ? bytes : 1), "cuMemAlloc");
  return reinterpret_cast<void *>(pointer);
}

void mgpuMemFree(void *pointer, void * /*stream*/) {
  mlc::cuda::freeShared(pointer);
}

void mgpuMemcpy(void *dst, void *src, size_t bytes, void *stream) {
  if (!failed())
    check(driver().cuMemcpyAsync(reinterpret_cast<CUdeviceptr>(dst),
                                 reinterpret_cast<CUdeviceptr>(src), bytes,
                                 static_cast<CUstream>(stream)),
          "cuMemcpyAsync");
}

void mgpuMemset32(void *dst, unsigned value, size_t count, void *stream) {
  if (!failed())
    check(driver().cuMemsetD32Async(reinterpret_cast<CUdeviceptr>(dst), value,
                                    count, static_cast<CUstream>(stream)),
          "cuMemsetD32Async");
}

void mgpuMemset16(void *dst, unsigned short value, size_t count,
                  void *stream) {
  if (!failed())
    check(driver().cuMemsetD16Async(reinterpret_cast<CUdeviceptr>(dst), value,
                                    count, static_cast<CUstream>(stream)),
          "cuMemsetD16Async");
}

} // extern "C"

std::vector<std::pair<const char *, void *>> mlc::cuda::runtimeSymbols() {
  return {
      {"mgpuModuleLoad", reinterpret_cast<void *>(&mgpuModuleLoad)},
      {"mgpuModuleLoadJIT", reinterpret_cast<void *>(&mgpuModuleLoadJIT)},
      {"mgpuModuleUnload", reinterpret_cast<void *>(&mgpuModuleUnload)},
      {"mgpuModuleGetFunction",
       reinterpret_cast<void *>(&mgpuModuleGetFunction)},
      {"mgpuLaunchKernel", reinterpret_cast<void *>(&mgpuLaunchKernel)},
      {"mgpuStreamCreate", reinterpret_cast<void *>(&mgpuStreamCreate)},
      {"mgpuStreamDestroy", reinterpret_cast<void *>(&mgpuStreamDestroy)},
      {"mgpuStreamSynchronize",
       reinterpret_cast<void *>(&mgpuStreamSynchronize)},
      {"mgpuStreamWaitEvent", reinterpret_cast<void *>(&mgpuStreamWaitEvent)},
      {"mgpuEventCreate", reinterpret_cast<void *>(&mgpuEventCreate)},
      {"mgpuEventDestroy", reinterpret_cast<void *>(&mgpuEventDestroy)},
      {"mgpuEventSynchronize",
       reinterpret_cast<void *>(&mgpuEventSynchronize)},
      {"mgpuEventRecord", reinterpret_cast<void *>(&mgpuEventRecord)},
      {"mgpuMemAlloc", reinterpret_cast<void *>(&mgpuMemAlloc)},
      {"mgpuMemFree", reinterpret_cast<void *>(&mgpuMemFree)},
      {"mgpuMemcpy", reinterpret_cast<void *>(&mgpuMemcpy)},
      {"mgpuMemset32", reinterpret_cast<void *>(&mgpuMemset32)},
      {"mgpuMemset16", reinterpret_cast<void *>(&mgpuMemset16)},
  };
}
