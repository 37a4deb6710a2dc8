//===- Timing.h - compile-time measurements ---------------------*- C++ -*-===//

#ifndef MLC_COMPILER_DRIVER_TIMING_H
#define MLC_COMPILER_DRIVER_TIMING_H

#include <chrono>

namespace mlc {

using Clock = std::chrono::steady_clock;

/// Milliseconds from `start` to now.
inline double msSince(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start)
      .count();
}

} // namespace mlc

#endif // MLC_COMPILER_DRIVER_TIMING_H
