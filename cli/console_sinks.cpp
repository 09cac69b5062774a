// SPDX-License-Identifier: Apache-2.0
#include "cli/console_sinks.h"

#include <mutex>

namespace tandem::cli {
namespace {

std::mutex g_stdout_mutex;  // one line at a time from every PrefixSink

}  // namespace

PrefixSink::~PrefixSink() {
  if (!m_line.empty()) {
    m_line += '\n';
    flush_line();
  }
}

void PrefixSink::put(uint8_t c) {
  if (c == '\r') return;  // the line ends at '\n'; a lone CR would overwrite the prefix
  m_line += static_cast<char>(c);
  if (c == '\n') flush_line();
}

void PrefixSink::flush_line() {
  {
    std::lock_guard lock(g_stdout_mutex);
    std::fwrite(m_prefix.data(), 1, m_prefix.size(), stdout);
    std::fwrite(m_line.data(), 1, m_line.size(), stdout);
    std::fflush(stdout);
  }
  m_line.clear();
}

std::unique_ptr<FileSink> FileSink::open(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "w");
  if (f == nullptr) return nullptr;
  std::setvbuf(f, nullptr, _IOLBF, BUFSIZ);
  return std::unique_ptr<FileSink>(new FileSink(f));
}

FileSink::~FileSink() { std::fclose(m_file); }

void FileSink::put(uint8_t c) { std::fputc(c, m_file); }

}  // namespace tandem::cli
