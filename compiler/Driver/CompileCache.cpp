//===- CompileCache.cpp - compiled models kept on disk --------------------===//

#include "compiler/Driver/CompileCache.h"

#include "runtime/core/files.h"

#include "mlir/IR/OperationSupport.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Config/llvm-config.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SHA256.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Target/TargetMachine.h"

#include <sys/stat.h>

#include <cstdlib>
#include <cstring>

using namespace mlc;

namespace {

constexpr llvm::StringLiteral kMagic = "MLCOBJ1\n";
constexpr size_t kHeader = 8 + 32 + 8;

/// The running executable's identity: a rebuilt mlc (or test binary) has
/// another inode, size or modification time.
std::string executableIdentity() {
  struct stat st;
  if (::stat("/proc/self/exe", &st) != 0)
    return "unknown";
  return std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino) + ":" +
         std::to_string(st.st_size) + ":" + std::to_string(st.st_mtim.tv_sec) +
         "." + std::to_string(st.st_mtim.tv_nsec);
}

} // namespace

std::string mlc::defaultCacheDirectory() {
  if (const char *off = std::getenv("MLC_NO_CACHE"); off && *off)
    return "";
  if (const char *dir = std::getenv("MLC_CACHE_DIR"); dir && *dir)
    return dir;
  if (const char *xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg)
    return std::string(xdg) + "/mlc";
  if (const char *home = std::getenv("HOME"); home && *home)
    return std::string(home) + "/.cache/mlc";
  return "";
}

std::string mlc::compileCacheKey(mlir::ModuleOp module,
                                 const TargetOptions &target,
                                 const llvm::TargetMachine &tm) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << "mlc " << MLC_VERSION_STRING << " llvm " << LLVM_VERSION_STRING
     << " exe " << executableIdentity() << "\n";
  os << "triple " << tm.getTargetTriple().str() << " cpu " << tm.getTargetCPU()
     << " features " << tm.getTargetFeatureString() << "\n";
  os << "opt " << target.optLevel << " threads " << target.threads
     << " vector-bits " << target.vectorBits << " columns-outer "
     << columnsOuterBytesFor(target) << " bf16 " << bf16MatmulsFor(target)
     << " full-llvm " << target.fullLLVMOptimization << " flush "
     << target.flushDenormals << " gpu " << target.gpuChip << " "
     << target.gpuFormat << "\n";
  os << "tiles " << target.tileTable << "\n";
  if (const char *extra = std::getenv("MLC_SCHEDULE_OPTIONS"))
    os << "schedule " << extra << "\n";
  if (const char *passes = std::getenv("MLC_LLVM_PASSES"))
    os << "llvm-passes " << passes << "\n";
  // The pipeline reads it too (CodeGen/CPU/Pipeline.cpp).
  if (const char *outline = std::getenv("MLC_NO_OUTLINE"))
    os << "no-outline " << outline << "\n";
  if (const char *work = std::getenv("MLC_PARALLEL_MIN_WORK"))
    os << "parallel-min-work " << work << "\n";
  module->print(os, mlir::OpPrintingFlags().printGenericOpForm());
  llvm::SHA256 sha;
  sha.update(text);
  return llvm::toHex(sha.final(), /*LowerCase=*/true);
}

std::unique_ptr<llvm::MemoryBuffer> mlc::readCachedObject(llvm::StringRef dir,
                                                          llvm::StringRef key) {
  llvm::SmallString<256> path(dir);
  llvm::sys::path::append(path, key + ".o");
  // Through the project's reader: a FIFO or device planted in the cache
  // is refused, not read (or waited on). Entries over 1 GiB are not ours.
  unsigned char *raw = nullptr;
  size_t rawSize = 0;
  char why[256];
  if (mlcReadRegularFile(path.c_str(), uint64_t(1) << 30, &raw, &rawSize, why,
                         sizeof why) != MLC_CORE_OK)
    return nullptr;
  std::unique_ptr<unsigned char, void (*)(void *)> owned(raw, std::free);
  llvm::StringRef bytes(reinterpret_cast<const char *>(raw), rawSize);
  if (bytes.size() < kHeader || !bytes.starts_with(kMagic))
    return nullptr;
  uint64_t size = 0;
  std::memcpy(&size, bytes.data() + 8 + 32, 8);
  llvm::StringRef object = bytes.drop_front(kHeader);
  if (size != object.size())
    return nullptr;
  llvm::SHA256 sha;
  sha.update(object);
  std::array<uint8_t, 32> digest = sha.final();
  if (std::memcmp(digest.data(), bytes.data() + 8, 32) != 0)
    return nullptr;
  return llvm::MemoryBuffer::getMemBufferCopy(object, path);
}

llvm::Error mlc::writeCachedObject(llvm::StringRef dir, llvm::StringRef key,
                                   llvm::StringRef object) {
  // Owner only: the cache holds code this user's runs will execute.
  if (std::error_code ec = llvm::sys::fs::create_directories(
          dir, /*IgnoreExisting=*/true, llvm::sys::fs::owner_all))
    return llvm::createStringError("cannot create the compile cache " +
                                   dir.str() + ": " + ec.message());
  llvm::SmallString<256> path(dir), temp;
  llvm::sys::path::append(path, key + ".o");
  int fd;
  if (std::error_code ec =
          llvm::sys::fs::createUniqueFile(path + ".tmp-%%%%%%", fd, temp))
    return llvm::createStringError("cannot write to the compile cache " +
                                   dir.str() + ": " + ec.message());
  {
    llvm::raw_fd_ostream os(fd, /*shouldClose=*/true);
    llvm::SHA256 sha;
    sha.update(object);
    std::array<uint8_t, 32> digest = sha.final();
    uint64_t size = object.size();
    os << kMagic;
    os.write(reinterpret_cast<const char *>(digest.data()), digest.size());
    os.write(reinterpret_cast<const char *>(&size), 8);
    os << object;
    os.close();
    if (os.has_error()) {
      os.clear_error();
      llvm::sys::fs::remove(temp);
      return llvm::createStringError("cannot write " + temp.str().str());
    }
  }
  char why[256];
  if (mlcCheckReplaceable(path.c_str(), why, sizeof why) != MLC_CORE_OK) {
    llvm::sys::fs::remove(temp);
    return llvm::createStringError("cannot write " + path.str().str() + ": " +
                                   why);
  }
  if (std::error_code ec = llvm::sys::fs::rename(temp, path)) {
    llvm::sys::fs::remove(temp);
    return llvm::createStringError("cannot write " + path.str().str() + ": " +
                                   ec.message());
  }
  mlcRemoveStaleTemporaries(path.c_str());
  return llvm::Error::success();
}
