// SPDX-License-Identifier: Apache-2.0
// Where a VM's console output goes when several VMs share the process (options.h, `console`):
// stdout with each line prefixed by the VM's name, or a file. (One VM alone writes to stdout as
// it is: console_sink.h.)
#pragma once

#include <chrono>
#include <cstdio>
#include <memory>
#include <string>

#include "devices/char_sink.h"

namespace tandem::cli {

// "[name] " before each line on stdout; a whole line is written at once, so the lines of
// several VMs never interleave. An unfinished line (a prompt) is written once the VM has been
// quiet for kQuietTime, and when the sink is destroyed; the VM's next bytes go on in the same
// line unless another VM's line came in between (it then ends the unfinished line first, and
// the rest gets a prefix of its own).
class PrefixSink final : public CharSink {
 public:
  static constexpr std::chrono::milliseconds kQuietTime{100};

  explicit PrefixSink(std::string name);
  PrefixSink(const PrefixSink&) = delete;
  PrefixSink& operator=(const PrefixSink&) = delete;
  ~PrefixSink();
  void put(uint8_t c) override;
  // For the flushing thread (console_sinks.cpp), under the stdout lock: writes a line held
  // for kQuietTime; whether a line is still held.
  bool flush_if_quiet(std::chrono::steady_clock::time_point now);

 private:
  void write_line();
  std::string m_prefix;
  std::string m_line;
  std::chrono::steady_clock::time_point m_last_put;
};

// Appends to a file (created or truncated when the VM is created), flushed at each newline.
class FileSink final : public CharSink {
 public:
  static std::unique_ptr<FileSink> open(const std::string& path);  // null: errno says why
  FileSink(const FileSink&) = delete;
  FileSink& operator=(const FileSink&) = delete;
  ~FileSink();
  void put(uint8_t c) override;

 private:
  explicit FileSink(std::FILE* f) : m_file(f) {}
  std::FILE* m_file;
};

}  // namespace tandem::cli
