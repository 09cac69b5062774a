// SPDX-License-Identifier: Apache-2.0
// Where a VM's console output goes when several VMs share the process (options.h, `console`):
// stdout with each line prefixed by the VM's name, or a file. (One VM alone writes to stdout as
// it is: console_sink.h.)
#pragma once

#include <cstdio>
#include <memory>
#include <string>

#include "devices/char_sink.h"

namespace tandem::cli {

// "[name] " before each line on stdout; a whole line is written at once, so the lines of
// several VMs never interleave. A partial line is written when the sink is destroyed.
class PrefixSink final : public CharSink {
 public:
  explicit PrefixSink(std::string name) : m_prefix("[" + std::move(name) + "] ") {}
  PrefixSink(const PrefixSink&) = delete;
  PrefixSink& operator=(const PrefixSink&) = delete;
  ~PrefixSink();
  void put(uint8_t c) override;

 private:
  void flush_line();
  std::string m_prefix;
  std::string m_line;
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
