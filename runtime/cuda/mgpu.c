/*===- mgpu.c - the CUDA driver behind MLIR's mgpu* calls ---------------===//
 *
 * Part of the mlc runtime, in C so that it serves both mlc's JIT (linked
 * into mlc, plain names) and model libraries built for --target=cuda
 * (embedded in the library with MLC_MGPU(x) prefixing every name and the
 * functions hidden, so two libraries do not clash).
 *
 * libcuda.so.1 is opened with dlopen the first time it is needed: nothing
 * links against CUDA, and a machine without a driver or a GPU is only
 * affected when it asks for one. Every driver call is checked; the mgpu*
 * signatures are fixed by the lowering and cannot return errors, so the
 * first failure is kept, named after the call that failed, and later calls
 * do nothing until mlcCudaTakeError collects it. Failures are kept per
 * thread, so one state's failure does not stop another's steps.
 *
 *===----------------------------------------------------------------------===*/

#include <dlfcn.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#ifndef MLC_MGPU
#define MLC_MGPU(name) name
#define MLC_MGPU_EXPORT
#endif

/* The few driver API types used, declared here: no CUDA headers needed. */
typedef int CUresult;
typedef int CUdevice;
typedef unsigned long long CUdeviceptr;
typedef struct CUctx_st *CUcontext;
typedef struct CUmod_st *CUmodule;
typedef struct CUfunc_st *CUfunction;
typedef struct CUstream_st *CUstream;
typedef struct CUevent_st *CUevent;
enum {
  MLC_CUDA_SUCCESS = 0,
  MLC_CU_MEM_ATTACH_GLOBAL = 1,
  MLC_CU_STREAM_NON_BLOCKING = 1,
  MLC_CU_CC_MAJOR = 75,
  MLC_CU_CC_MINOR = 76
};

static struct {
  CUresult (*cuInit)(unsigned);
  CUresult (*cuDriverGetVersion)(int *);
  CUresult (*cuDeviceGetCount)(int *);
  CUresult (*cuDeviceGet)(CUdevice *, int);
  CUresult (*cuDeviceGetName)(char *, int, CUdevice);
  CUresult (*cuDeviceGetAttribute)(int *, int, CUdevice);
  CUresult (*cuDevicePrimaryCtxRetain)(CUcontext *, CUdevice);
  CUresult (*cuCtxSetCurrent)(CUcontext);
  CUresult (*cuCtxSynchronize)(void);
  CUresult (*cuModuleLoadData)(CUmodule *, const void *);
  CUresult (*cuModuleUnload)(CUmodule);
  CUresult (*cuModuleGetFunction)(CUfunction *, CUmodule, const char *);
  CUresult (*cuLaunchKernel)(CUfunction, unsigned, unsigned, unsigned, unsigned,
                             unsigned, unsigned, unsigned, CUstream, void **,
                             void **);
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
} mlcCudaDriver;

static pthread_once_t mlcCudaOnce = PTHREAD_ONCE_INIT;
static int mlcCudaReady;
static CUcontext mlcCudaContext;
static char mlcCudaWhy[512];         /* why not ready */
static char mlcCudaDescription[320]; /* the device, once ready */
/* The first failed call on this thread, "" if none: each thread (each
 * model state in use) sees its own failures only. */
static _Thread_local char mlcCudaError[512];

static void mlcCudaDescribeResult(CUresult result, char *out, size_t size) {
  const char *name = NULL, *text = NULL;
  if (mlcCudaDriver.cuGetErrorName)
    mlcCudaDriver.cuGetErrorName(result, &name);
  if (mlcCudaDriver.cuGetErrorString)
    mlcCudaDriver.cuGetErrorString(result, &text);
  if (name)
    snprintf(out, size, "%s%s%s%s", name, text ? " (" : "", text ? text : "",
             text ? ")" : "");
  else
    snprintf(out, size, "CUDA error %d", result);
}

/* Checks a driver call; keeps the first failure. */
static int mlcCudaCheck(CUresult result, const char *call) {
  if (result == MLC_CUDA_SUCCESS)
    return 1;
  char text[400];
  mlcCudaDescribeResult(result, text, sizeof text);
  if (!mlcCudaError[0])
    snprintf(mlcCudaError, sizeof mlcCudaError, "%s: %s", call, text);
  return 0;
}

/* Keeps a failure that is not a driver result. */
static void mlcCudaFail(const char *message) {
  if (!mlcCudaError[0])
    snprintf(mlcCudaError, sizeof mlcCudaError, "%s", message);
}

static int mlcCudaFailed(void) { return !mlcCudaReady || mlcCudaError[0]; }

/* Resolves `name`. The functions whose signature the header maps to a _v2
 * symbol get that version; others by their own name, since a newer _v2 of
 * them may take other arguments. */
static void *mlcCudaResolve(void *library, const char *name) {
  static const char *const v2[] = {"cuMemAlloc", "cuMemFree", "cuStreamDestroy",
                                   "cuEventDestroy"};
  for (size_t i = 0; i < sizeof v2 / sizeof v2[0]; ++i)
    if (!strcmp(name, v2[i])) {
      char versioned[96];
      snprintf(versioned, sizeof versioned, "%s_v2", name);
      return dlsym(library, versioned);
    }
  return dlsym(library, name);
}

static int mlcCudaLoadFailed(CUresult result, const char *call) {
  char text[400];
  mlcCudaDescribeResult(result, text, sizeof text);
  snprintf(mlcCudaWhy, sizeof mlcCudaWhy, "%s: %s", call, text);
  return 0;
}

static int mlcCudaLoad(void) {
  void *library = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
  if (!library) {
    const char *e = dlerror();
    snprintf(mlcCudaWhy, sizeof mlcCudaWhy,
             "the NVIDIA driver is not installed (%s)",
             e ? e : "libcuda.so.1 not found");
    return 0;
  }
  int ok = 1;
#define MLC_RESOLVE(name)                                                      \
  ok &= (*(void **)&mlcCudaDriver.name = mlcCudaResolve(library, #name)) != NULL
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
    snprintf(mlcCudaWhy, sizeof mlcCudaWhy,
             "libcuda.so.1 lacks driver API functions mlc needs (driver too "
             "old?)");
    return 0;
  }
  CUresult r;
  int count = 0, major = 0, minor = 0, version = 0;
  CUdevice device = 0;
  char name[256] = "";
  if ((r = mlcCudaDriver.cuInit(0)) != MLC_CUDA_SUCCESS)
    return mlcCudaLoadFailed(r, "cuInit");
  if ((r = mlcCudaDriver.cuDeviceGetCount(&count)) != MLC_CUDA_SUCCESS)
    return mlcCudaLoadFailed(r, "cuDeviceGetCount");
  if (count == 0) {
    snprintf(mlcCudaWhy, sizeof mlcCudaWhy,
             "the NVIDIA driver found no CUDA device");
    return 0;
  }
  if ((r = mlcCudaDriver.cuDeviceGet(&device, 0)) != MLC_CUDA_SUCCESS)
    return mlcCudaLoadFailed(r, "cuDeviceGet");
  if ((r = mlcCudaDriver.cuDevicePrimaryCtxRetain(&mlcCudaContext, device)) !=
      MLC_CUDA_SUCCESS)
    return mlcCudaLoadFailed(r, "cuDevicePrimaryCtxRetain");
  if ((r = mlcCudaDriver.cuCtxSetCurrent(mlcCudaContext)) != MLC_CUDA_SUCCESS)
    return mlcCudaLoadFailed(r, "cuCtxSetCurrent");
  mlcCudaDriver.cuDeviceGetName(name, sizeof name, device);
  mlcCudaDriver.cuDeviceGetAttribute(&major, MLC_CU_CC_MAJOR, device);
  mlcCudaDriver.cuDeviceGetAttribute(&minor, MLC_CU_CC_MINOR, device);
  mlcCudaDriver.cuDriverGetVersion(&version);
  snprintf(mlcCudaDescription, sizeof mlcCudaDescription,
           "%s (sm_%d%d, driver %d.%d)", name, major, minor, version / 1000,
           version % 1000 / 10);
  return 1;
}

static void mlcCudaInit(void) { mlcCudaReady = mlcCudaLoad(); }

/* Makes the context current on the calling thread. */
static int mlcCudaCurrent(void) {
  return mlcCudaReady &&
         mlcCudaCheck(mlcCudaDriver.cuCtxSetCurrent(mlcCudaContext),
                      "cuCtxSetCurrent");
}

/*===--- mlc's side ---------------------------------------------------------*/

/* 1 if CUDA can run here; else 0 and *why says why in one line. */
MLC_MGPU_EXPORT int MLC_MGPU(mlcCudaAvailable)(const char **why) {
  pthread_once(&mlcCudaOnce, mlcCudaInit);
  if (why)
    *why = mlcCudaWhy;
  return mlcCudaReady;
}

MLC_MGPU_EXPORT const char *MLC_MGPU(mlcCudaDevice)(void) {
  return mlcCudaDescription;
}

/* Memory both the host and the device address (cuMemAllocManaged). */
MLC_MGPU_EXPORT void *MLC_MGPU(mlcCudaAllocShared)(size_t bytes) {
  CUdeviceptr pointer = 0;
  if (!MLC_MGPU(mlcCudaAvailable)(NULL) || mlcCudaFailed() || !mlcCudaCurrent())
    return NULL;
  if (!mlcCudaCheck(mlcCudaDriver.cuMemAllocManaged(&pointer, bytes ? bytes : 1,
                                                    MLC_CU_MEM_ATTACH_GLOBAL),
                    "cuMemAllocManaged"))
    return NULL;
  return (void *)(uintptr_t)pointer;
}

MLC_MGPU_EXPORT void MLC_MGPU(mlcCudaFree)(void *pointer) {
  if (pointer && mlcCudaCurrent())
    mlcCudaCheck(mlcCudaDriver.cuMemFree((CUdeviceptr)(uintptr_t)pointer),
                 "cuMemFree");
}

/* Waits even after a failure, so nothing still runs when the caller
 * touches the memory again. */
MLC_MGPU_EXPORT void MLC_MGPU(mlcCudaSynchronize)(void) {
  if (mlcCudaCurrent())
    mlcCudaCheck(mlcCudaDriver.cuCtxSynchronize(), "cuCtxSynchronize");
}

/* Copies the first failure since the last call into out ("" if none) and
 * clears it; returns whether there was one. */
MLC_MGPU_EXPORT int MLC_MGPU(mlcCudaTakeError)(char *out, size_t size) {
  int had = mlcCudaError[0] != 0;
  if (size)
    snprintf(out, size, "%s", mlcCudaError);
  mlcCudaError[0] = 0;
  return had;
}

/*===--- the functions MLIR's gpu-to-llvm lowering calls --------------------*/

MLC_MGPU_EXPORT void *MLC_MGPU(mgpuModuleLoad)(void *data, size_t size) {
  CUmodule module = NULL;
  (void)size;
  if (!MLC_MGPU(mlcCudaAvailable)(NULL) || mlcCudaFailed() || !mlcCudaCurrent())
    return NULL;
  mlcCudaCheck(mlcCudaDriver.cuModuleLoadData(&module, data),
               "cuModuleLoadData");
  return module;
}

/* PTX: the driver compiles it for the device when it loads. */
MLC_MGPU_EXPORT void *MLC_MGPU(mgpuModuleLoadJIT)(void *data, int optLevel) {
  (void)optLevel;
  return MLC_MGPU(mgpuModuleLoad)(data, 0);
}

MLC_MGPU_EXPORT void MLC_MGPU(mgpuModuleUnload)(void *module) {
  if (module && mlcCudaCurrent())
    mlcCudaCheck(mlcCudaDriver.cuModuleUnload((CUmodule)module),
                 "cuModuleUnload");
}

MLC_MGPU_EXPORT void *MLC_MGPU(mgpuModuleGetFunction)(void *module,
                                                      const char *name) {
  CUfunction function = NULL;
  if (!module) {
    /* The kernels failed to load when the program started. */
    mlcCudaFail("cuModuleGetFunction: the GPU kernels were not loaded "
                "(cuModuleLoadData failed or CUDA cannot run here)");
    return NULL;
  }
  if (mlcCudaFailed())
    return NULL;
  mlcCudaCheck(
      mlcCudaDriver.cuModuleGetFunction(&function, (CUmodule)module, name),
      "cuModuleGetFunction");
  return function;
}

MLC_MGPU_EXPORT void
MLC_MGPU(mgpuLaunchKernel)(void *function, intptr_t gridX, intptr_t gridY,
                           intptr_t gridZ, intptr_t blockX, intptr_t blockY,
                           intptr_t blockZ, int32_t sharedBytes, void *stream,
                           void **params, void **extra, size_t paramCount) {
  (void)paramCount;
  if (!function) {
    mlcCudaFail("cuLaunchKernel: no kernel to launch (the GPU kernels were "
                "not loaded)");
    return;
  }
  if (mlcCudaFailed() || !mlcCudaCurrent())
    return;
  mlcCudaCheck(mlcCudaDriver.cuLaunchKernel(
                   (CUfunction)function, (unsigned)gridX, (unsigned)gridY,
                   (unsigned)gridZ, (unsigned)blockX, (unsigned)blockY,
                   (unsigned)blockZ, (unsigned)sharedBytes, (CUstream)stream,
                   params, extra),
               "cuLaunchKernel");
}

MLC_MGPU_EXPORT void *MLC_MGPU(mgpuStreamCreate)(void) {
  CUstream stream = NULL;
  if (mlcCudaFailed() || !mlcCudaCurrent())
    return NULL;
  mlcCudaCheck(
      mlcCudaDriver.cuStreamCreate(&stream, MLC_CU_STREAM_NON_BLOCKING),
      "cuStreamCreate");
  return stream;
}

MLC_MGPU_EXPORT void MLC_MGPU(mgpuStreamDestroy)(void *stream) {
  if (stream && mlcCudaCurrent())
    mlcCudaCheck(mlcCudaDriver.cuStreamDestroy((CUstream)stream),
                 "cuStreamDestroy");
}

MLC_MGPU_EXPORT void MLC_MGPU(mgpuStreamSynchronize)(void *stream) {
  if (stream && mlcCudaReady)
    mlcCudaCheck(mlcCudaDriver.cuStreamSynchronize((CUstream)stream),
                 "cuStreamSynchronize");
}

MLC_MGPU_EXPORT void MLC_MGPU(mgpuStreamWaitEvent)(void *stream, void *event) {
  if (!mlcCudaFailed())
    mlcCudaCheck(
        mlcCudaDriver.cuStreamWaitEvent((CUstream)stream, (CUevent)event, 0),
        "cuStreamWaitEvent");
}

MLC_MGPU_EXPORT void *MLC_MGPU(mgpuEventCreate)(void) {
  CUevent event = NULL;
  if (!mlcCudaFailed() && mlcCudaCurrent())
    mlcCudaCheck(mlcCudaDriver.cuEventCreate(&event, 0), "cuEventCreate");
  return event;
}

MLC_MGPU_EXPORT void MLC_MGPU(mgpuEventSynchronize)(void *event) {
  if (!mlcCudaFailed() && event)
    mlcCudaCheck(mlcCudaDriver.cuEventSynchronize((CUevent)event),
                 "cuEventSynchronize");
}

MLC_MGPU_EXPORT void MLC_MGPU(mgpuEventRecord)(void *event, void *stream) {
  if (!mlcCudaFailed() && event)
    mlcCudaCheck(mlcCudaDriver.cuEventRecord((CUevent)event, (CUstream)stream),
                 "cuEventRecord");
}

MLC_MGPU_EXPORT void MLC_MGPU(mgpuEventDestroy)(void *event) {
  if (event && mlcCudaCurrent())
    mlcCudaCheck(mlcCudaDriver.cuEventDestroy((CUevent)event),
                 "cuEventDestroy");
}

MLC_MGPU_EXPORT void *MLC_MGPU(mgpuMemAlloc)(uint64_t bytes, void *stream,
                                             _Bool hostShared) {
  CUdeviceptr pointer = 0;
  (void)stream;
  if (hostShared)
    return MLC_MGPU(mlcCudaAllocShared)((size_t)bytes);
  if (mlcCudaFailed() || !mlcCudaCurrent())
    return NULL;
  mlcCudaCheck(mlcCudaDriver.cuMemAlloc(&pointer, bytes ? (size_t)bytes : 1),
               "cuMemAlloc");
  return (void *)(uintptr_t)pointer;
}

MLC_MGPU_EXPORT void MLC_MGPU(mgpuMemFree)(void *pointer, void *stream) {
  (void)stream;
  MLC_MGPU(mlcCudaFree)(pointer);
}

MLC_MGPU_EXPORT void MLC_MGPU(mgpuMemcpy)(void *dst, void *src, size_t bytes,
                                          void *stream) {
  if (!mlcCudaFailed())
    mlcCudaCheck(mlcCudaDriver.cuMemcpyAsync((CUdeviceptr)(uintptr_t)dst,
                                             (CUdeviceptr)(uintptr_t)src, bytes,
                                             (CUstream)stream),
                 "cuMemcpyAsync");
}

MLC_MGPU_EXPORT void MLC_MGPU(mgpuMemset32)(void *dst, unsigned value,
                                            size_t count, void *stream) {
  if (!mlcCudaFailed())
    mlcCudaCheck(mlcCudaDriver.cuMemsetD32Async((CUdeviceptr)(uintptr_t)dst,
                                                value, count, (CUstream)stream),
                 "cuMemsetD32Async");
}

MLC_MGPU_EXPORT void MLC_MGPU(mgpuMemset16)(void *dst, unsigned short value,
                                            size_t count, void *stream) {
  if (!mlcCudaFailed())
    mlcCudaCheck(mlcCudaDriver.cuMemsetD16Async((CUdeviceptr)(uintptr_t)dst,
                                                value, count, (CUstream)stream),
                 "cuMemsetD16Async");
}
