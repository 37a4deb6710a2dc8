//===- CudaRuntime.h - the CUDA driver, loaded on first use -----*- C++ -*-===//
//
// Part of the mlc runtime (plain C++, no MLIR). Code compiled for
// --target=cuda calls the mgpu* functions MLIR's GPU lowering emits (module
// load, kernel launch, streams, memory); mlc implements them here over the
// CUDA driver API. libcuda.so.1 is opened with dlopen the first time it is
// needed, so nothing links against CUDA and a machine without a driver or
// a GPU is only affected when it asks for one.
//
// Every driver call is checked. The mgpu* functions cannot return errors
// (their signatures are fixed by the lowering), so the first failure on a
// thread is kept, named after the call that failed, and that thread's
// later calls do nothing until takeError() collects it. The functions are
// implemented in C (mgpu.c) so model libraries can embed them too.
//
//===----------------------------------------------------------------------===//

#ifndef MLC_RUNTIME_CUDA_CUDARUNTIME_H
#define MLC_RUNTIME_CUDA_CUDARUNTIME_H

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace mlc::cuda {

/// Opens the driver and makes device 0's primary context current. Returns
/// false and sets `why` (one line: no driver, no device, or the failing
/// call) if CUDA cannot be used here.
bool available(std::string &why);

/// "NVIDIA H200 (sm_90, driver 12.8)" once available() succeeded.
std::string deviceDescription();

/// Memory the host and the device both address (cuMemAllocManaged), for
/// the buffers of a GPU entry point; null with the error kept on failure.
void *allocateShared(size_t bytes);
void freeShared(void *pointer);

/// Whether [pointer, pointer + bytes) lies in one allocateShared block, so
/// a GPU entry point can use it as is, without a copy.
bool isShared(const void *pointer, size_t bytes);

/// Waits for all work on the device.
void synchronize();

/// This thread's first failed driver call since its last takeError ("" if
/// none),
/// e.g. "cuLaunchKernel: CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES (too many
/// resources requested for launch)". Clears it.
std::string takeError();

/// The mgpu* entry points by name, for a JIT to resolve.
std::vector<std::pair<const char *, void *>> runtimeSymbols();

} // namespace mlc::cuda

#endif // MLC_RUNTIME_CUDA_CUDARUNTIME_H
