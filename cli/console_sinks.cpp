// SPDX-License-Identifier: Apache-2.0
#include "cli/console_sinks.h"

#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

namespace tandem::cli {
namespace {

using Clock = std::chrono::steady_clock;

std::mutex g_stdout_mutex;  // stdout, every PrefixSink's line and the list below
// The sink whose unfinished line stdout ends in (nullptr: stdout is at a line start).
const PrefixSink* g_open_line = nullptr;
std::vector<PrefixSink*> g_sinks;

// Writes every held partial line that has been quiet for PrefixSink::kQuietTime (a prompt
// waiting for input), from a thread of its own that lives while any PrefixSink does.
class QuietFlusher {
 public:
  // Under g_stdout_mutex.
  void add(PrefixSink* sink) {
    g_sinks.push_back(sink);
    if (!m_thread.joinable()) m_thread = std::thread([this] { loop(); });
  }
  void remove(PrefixSink* sink) { std::erase(g_sinks, sink); }
  // Under g_stdout_mutex: a sink began holding a line.
  void line_started() { m_wake.notify_all(); }
  ~QuietFlusher() {
    {
      std::lock_guard lock(g_stdout_mutex);
      m_stop = true;
    }
    m_wake.notify_all();
    if (m_thread.joinable()) m_thread.join();
  }

 private:
  // Sleeps until a sink holds a line, then looks every half quiet time until none does.
  void loop() {
    std::unique_lock lock(g_stdout_mutex);
    while (!m_stop) {
      const auto now = Clock::now();
      bool holding = false;
      for (PrefixSink* sink : g_sinks) holding = sink->flush_if_quiet(now) || holding;
      if (holding) {
        m_wake.wait_for(lock, PrefixSink::kQuietTime / 2);
      } else {
        m_wake.wait(lock);
      }
    }
  }

  std::thread m_thread;
  std::condition_variable m_wake;
  bool m_stop = false;
};

QuietFlusher& flusher() {
  static QuietFlusher f;
  return f;
}

}  // namespace

PrefixSink::PrefixSink(std::string name) : m_prefix("[" + std::move(name) + "] ") {
  QuietFlusher& f = flusher();
  std::lock_guard lock(g_stdout_mutex);
  f.add(this);
}

PrefixSink::~PrefixSink() {
  std::lock_guard lock(g_stdout_mutex);
  flusher().remove(this);
  if (!m_line.empty()) {
    m_line += '\n';
    write_line();
  } else if (g_open_line == this) {
    std::fputc('\n', stdout);
    g_open_line = nullptr;
  }
}

void PrefixSink::put(uint8_t c) {
  if (c == '\r') return;  // the line ends at '\n'; a lone CR would overwrite the prefix
  std::lock_guard lock(g_stdout_mutex);
  m_line += static_cast<char>(c);
  m_last_put = Clock::now();
  if (c == '\n') {
    write_line();
  } else if (m_line.size() == 1) {
    flusher().line_started();
  }
}

bool PrefixSink::flush_if_quiet(Clock::time_point now) {
  if (!m_line.empty() && now - m_last_put >= kQuietTime) write_line();
  return !m_line.empty();
}

// Under g_stdout_mutex, with a line (or its start) held. Another sink's unfinished line is
// ended first; this sink's own goes on where it stopped, without a second prefix.
void PrefixSink::write_line() {
  if (g_open_line != this) {
    if (g_open_line != nullptr) std::fputc('\n', stdout);
    std::fwrite(m_prefix.data(), 1, m_prefix.size(), stdout);
  }
  std::fwrite(m_line.data(), 1, m_line.size(), stdout);
  std::fflush(stdout);
  g_open_line = m_line.back() == '\n' ? nullptr : this;
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
