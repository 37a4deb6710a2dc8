//===- OutputChecks.cpp - can the run's outputs be written? ---------------===//

#include "OutputChecks.h"

#include "runtime/core/files.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

using namespace llvm;

/// Whether new entries can be made in `dir`, which must exist.
static std::error_code checkDirectoryEntries(StringRef dir) {
  if (!sys::fs::exists(dir))
    return std::make_error_code(std::errc::no_such_file_or_directory);
  if (!sys::fs::is_directory(dir))
    return std::make_error_code(std::errc::not_a_directory);
  return sys::fs::access(dir, sys::fs::AccessMode::Write);
}

std::string mlc::whyNotWritable(StringRef path) {
  if (path == "/dev/null")
    return "";
  std::string text = path.str();
  char why[256];
  if (mlcCheckReplaceable(text.c_str(), why, sizeof why) != MLC_CORE_OK)
    return why;
  // Outputs are written to a temporary file in the same directory and
  // renamed over `path`: the directory must take new entries.
  StringRef dir = sys::path::parent_path(path);
  if (std::error_code ec = checkDirectoryEntries(dir.empty() ? "." : dir))
    return ec.message();
  return "";
}

std::error_code mlc::checkWritableDirectory(StringRef dir, bool &missing) {
  missing = false;
  SmallString<128> existing(dir);
  // "out/" is "out".
  while (existing.size() > 1 && sys::path::is_separator(existing.back()))
    existing.pop_back();
  // The nearest existing ancestor is where the missing ones are created.
  while (!existing.empty() && !sys::fs::exists(existing)) {
    missing = true;
    sys::path::remove_filename(existing);
  }
  if (existing.empty())
    existing = ".";
  return checkDirectoryEntries(existing);
}
