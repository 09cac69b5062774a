// SPDX-License-Identifier: Apache-2.0
#include "cli/record_replay.h"

#include <spdlog/spdlog.h>

#include <cinttypes>
#include <cstdarg>
#include <fstream>
#include <sstream>

#include "backends/emu/emu_icount.h"

namespace tandem::cli {
namespace {

constexpr const char* kMagic = "tandem-record";
constexpr unsigned kVersion = 2;

std::string to_hex(const std::string& bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (const unsigned char c : bytes) {
    out += kDigits[c >> 4];
    out += kDigits[c & 15];
  }
  return out;
}

std::optional<std::string> from_hex(const std::string& text) {
  if (text.size() % 2 != 0) return std::nullopt;
  std::string out;
  for (size_t i = 0; i < text.size(); i += 2) {
    unsigned value = 0;
    if (std::sscanf(text.c_str() + i, "%2x", &value) != 1) return std::nullopt;
    out += static_cast<char>(value);
  }
  return out;
}

std::string header(const RecordIdentity& id) {
  char line[160];
  std::snprintf(line, sizeof line, "%s %u\narch %s\nicount-shift %u\nguest %016" PRIx64 "\n",
                kMagic, kVersion, to_string(id.arch), id.icount_shift, id.guest_hash);
  return std::string(line) + "options " + id.options + "\n";
}

__attribute__((format(printf, 1, 2))) std::string format(const char* fmt, ...) {
  char line[512];
  va_list args;
  va_start(args, fmt);
  std::vsnprintf(line, sizeof line, fmt, args);
  va_end(args);
  return line;
}

// Bytes per input line: a batch larger than this is written as several lines of one key.
constexpr size_t kLineBytes = 1024;
static_assert(2 * kLineBytes == 2048, "the width in replay()'s sscanf of an input line");

}  // namespace

uint64_t fnv1a(uint64_t hash, const void* bytes, size_t size) {
  const auto* p = static_cast<const unsigned char*>(bytes);
  for (size_t i = 0; i < size; ++i) hash = (hash ^ p[i]) * 0x100000001b3ull;
  return hash;
}

std::unique_ptr<RecordReplay> RecordReplay::record(const std::string& path,
                                                   const RecordIdentity& id, RecordTarget target) {
  std::unique_ptr<RecordReplay> rr(new RecordReplay(std::move(target), false));
  rr->m_out = std::fopen(path.c_str(), "wb");
  if (rr->m_out == nullptr) {
    spdlog::error("--record {}: cannot create the file", path);
    return nullptr;
  }
  rr->m_hash = kFnvBasis;
  rr->m_sum = kFnvBasis;
  rr->write_line(header(id));
  return rr;
}

std::unique_ptr<RecordReplay> RecordReplay::replay(const std::string& path,
                                                   const RecordIdentity& id, RecordTarget target) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    spdlog::error("--replay {}: cannot read the file", path);
    return nullptr;
  }
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string text = buffer.str();
  const auto bad = [&path](const std::string& why) {
    spdlog::error("--replay {}: {}", path, why);
    return nullptr;
  };
  if (text.rfind(kMagic, 0) != 0) return bad("not a record made by tandem run --record");
  // The checksum line: everything before it, as written.
  const size_t sum_at = text.rfind("sum ");
  uint64_t sum = 0;
  if (sum_at == std::string::npos || sum_at == 0 || text[sum_at - 1] != '\n' ||
      std::sscanf(text.c_str() + sum_at, "sum %" SCNx64, &sum) != 1 || text.back() != '\n' ||
      text.find('\n', sum_at) != text.size() - 1)
    return bad("truncated (no checksum at the end: the recording run did not finish)");
  if (fnv1a(kFnvBasis, text.data(), sum_at) != sum)
    return bad("corrupt (its checksum does not match its contents)");
  const std::string want = header(id);
  unsigned version = 0;
  if (std::sscanf(text.c_str(), "tandem-record %u", &version) != 1 || version != kVersion)
    return bad(format("format version %u; this tandem reads version %u", version, kVersion));
  if (text.compare(0, want.size(), want) != 0) {
    // Name the first header line that differs.
    std::istringstream have_lines(text.substr(0, sum_at)), want_lines(want);
    std::string have_line, want_line;
    while (std::getline(want_lines, want_line) && std::getline(have_lines, have_line)) {
      if (have_line != want_line) {
        std::string why = "recorded for another run: it has '";
        why += have_line;
        why += "', this run '";
        why += want_line;
        why += "'";
        return bad(why);
      }
    }
    return bad("recorded for another run (header differs)");
  }
  std::unique_ptr<RecordReplay> rr(new RecordReplay(std::move(target), true));
  rr->m_hash = kFnvBasis;
  std::istringstream lines(text.substr(want.size(), sum_at - want.size()));
  std::string line;
  bool ended = false;
  unsigned number = 5;  // the header's lines
  while (std::getline(lines, line)) {
    ++number;
    const auto malformed = [&] { return bad(format("line %u is malformed", number)); };
    if (ended) return malformed();
    char word[16] = {};
    if (std::sscanf(line.c_str(), "%15s", word) != 1) return malformed();
    const std::string kind = word;
    if (kind == "input") {
      Input input{};
      char hex[2 * kLineBytes + 1] = {};
      if (line.size() > 2 * kLineBytes + 48 ||
          std::sscanf(line.c_str(), "input %" SCNu64 " %" SCNu64 " %2048s", &input.count,
                      &input.exits, hex) != 3)
        return malformed();
      const auto bytes = from_hex(hex);
      if (!bytes || bytes->empty()) return malformed();
      input.bytes = *bytes;
      rr->m_inputs.push_back(input);
    } else if (kind == "check") {
      Check c{};
      if (std::sscanf(line.c_str(), "check %" SCNu64 " %" SCNu64 " %" SCNx64, &c.exits, &c.count,
                      &c.hash) != 3)
        return malformed();
      rr->m_checks.push_back(c);
    } else if (kind == "dev") {
      if (!rr->parse_device(line)) return malformed();
    } else if (kind == "end") {
      End& e = rr->m_end;
      if (std::sscanf(line.c_str(), "end %" SCNu64 " %" SCNu64 " %" SCNx64 " %d %d", &e.count,
                      &e.exits, &e.hash, &e.kind, &e.status) != 5)
        return malformed();
      ended = true;
    } else {
      return malformed();
    }
  }
  if (!ended) return bad("truncated (no end line)");
  return rr;
}

RecordReplay::~RecordReplay() {
  if (m_out != nullptr) std::fclose(m_out);
}

bool RecordReplay::push(uint8_t c) { return m_replaying ? true : m_host.push(c); }

void RecordReplay::set_input_open(bool open) {
  if (!m_replaying) m_host_open.store(open);
}

void RecordReplay::set_trace(ExitTracer* trace, bool mmio_only) {
  m_target.trace = trace;
  m_target.trace_mmio_only = mmio_only;
}

// `dev CHANNEL COUNT EXITS DATA`, DATA: the bytes in hex, `+` (done, no bytes) or `-` (the
// host failed).
bool RecordReplay::parse_device(const std::string& line) {
  std::istringstream words(line);
  std::string dev, channel, data;
  DeviceEntry entry{};
  if (!(words >> dev >> channel >> entry.count >> entry.exits >> data) || !words.eof())
    return false;
  if (data == "-") {
    entry.input.ok = false;
  } else if (data != "+") {
    auto bytes = from_hex(data);
    if (!bytes || bytes->empty()) return false;
    entry.input.bytes = std::move(*bytes);
  }
  m_channels[channel].entries.push_back(std::move(entry));
  return true;
}

bool RecordReplay::devices_done() const {
  for (const auto& [name, channel] : m_channels)
    if (channel.next != channel.entries.size()) return false;
  return true;
}

void RecordReplay::record_device(const std::string& channel, const DeviceInput& input) {
  const std::string data = !input.ok ? "-" : input.bytes.empty() ? "+" : to_hex(input.bytes);
  write_line(
      format("dev %s %" PRIu64 " %" PRIu64 " ", channel.c_str(), emu::icount_now(), m_exits) +
      data + "\n");
}

std::optional<DeviceInput> RecordReplay::replay_device(const std::string& channel, size_t size) {
  const uint64_t count = emu::icount_now();
  Channel& c = m_channels[channel];
  const std::string here =
      format("%s asked for its input %zu at count %" PRIu64 " after exit %" PRIu64, channel.c_str(),
             c.next + 1, count, m_exits);
  if (c.next >= c.entries.size()) {
    diverged(here + format(": the record has %zu", c.entries.size()));
    return std::nullopt;
  }
  const DeviceEntry& e = c.entries[c.next];
  if (e.count != count || e.exits != m_exits) {
    diverged(here + format("; the record has it at count %" PRIu64 " after exit %" PRIu64, e.count,
                           e.exits));
    return std::nullopt;
  }
  if (e.input.ok && size != kAnySize && e.input.bytes.size() != size) {
    diverged(here + format(" (%zu bytes); the record has %zu bytes", size, e.input.bytes.size()));
    return std::nullopt;
  }
  ++c.next;
  return e.input;
}

bool RecordReplay::input_due(const std::string& channel) {
  const Channel& c = m_channels[channel];
  return c.next < c.entries.size() && c.entries[c.next].count == emu::icount_now() &&
         c.entries[c.next].exits == m_exits;
}

void RecordReplay::write_line(const std::string& line) {
  m_sum = fnv1a(m_sum, line.data(), line.size());
  if (std::fwrite(line.data(), 1, line.size(), m_out) != line.size()) m_write_failed = true;
}

void RecordReplay::diverged(const std::string& what) {
  if (m_diverged) return;
  m_diverged = true;
  m_target.stop->set_fault(StopKind::kFault, "replay diverged: %s", what.c_str());
}

void RecordReplay::pump() {
  const uint64_t count = emu::icount_now();
  if (!m_replaying) {
    std::string bytes;
    uint8_t c = 0;
    while (m_host.peek(c) && m_target.push(c)) {
      m_host.pop(c);
      bytes += static_cast<char>(c);
    }
    for (size_t at = 0; at < bytes.size(); at += kLineBytes)
      write_line(format("input %" PRIu64 " %" PRIu64 " ", count, m_exits) +
                 to_hex(bytes.substr(at, kLineBytes)) + "\n");
    if (!m_closed && !m_host_open.load() && m_host.empty()) {
      m_closed = true;
      m_target.set_input_open(false);
    }
    return;
  }
  while (m_next_input < m_inputs.size()) {
    const Input& next = m_inputs[m_next_input];
    if (next.count != count || next.exits != m_exits) {
      if (next.count < count || (next.count == count && next.exits < m_exits))
        diverged(format("the record has input at count %" PRIu64 " (after exit %" PRIu64
                        "); the run passed it (count %" PRIu64 ", exit %" PRIu64 ")",
                        next.count, next.exits, count, m_exits));
      return;
    }
    for (const char c : next.bytes) m_target.push(static_cast<uint8_t>(c));
    ++m_next_input;
  }
}

void RecordReplay::trace(unsigned cpu, const VcpuExit& e) {
  const uint64_t count = emu::icount_now();
  ++m_exits;
  const uint64_t fields[] = {static_cast<uint64_t>(e.kind), e.addr, e.size, e.value, e.pc, count};
  m_hash = fnv1a(m_hash, fields, sizeof fields);
  if (m_target.trace != nullptr) {
    const bool access = e.kind == ExitKind::kMmioRead || e.kind == ExitKind::kMmioWrite;
    if (access || !m_target.trace_mmio_only) m_target.trace->trace(cpu, e);
  }
  if (m_replaying) return check_replay(e, count);
  if (m_exits % kCheckEvery == 0)
    write_line(format("check %" PRIu64 " %" PRIu64 " %016" PRIx64 "\n", m_exits, count, m_hash));
}

void RecordReplay::check_replay(const VcpuExit& e, uint64_t count) {
  const auto where = [&] {
    return format("exit %" PRIu64 " (%s at pc %#" PRIx64 ", count %" PRIu64 ")", m_exits,
                  to_string(e.kind), e.pc, count);
  };
  if (m_exits > m_end.exits) {
    diverged(where() + format(" is one the record does not have (it ends after %" PRIu64 " exits)",
                              m_end.exits));
    return;
  }
  if (m_next_check >= m_checks.size() || m_checks[m_next_check].exits != m_exits) return;
  const Check& c = m_checks[m_next_check++];
  if (c.count != count || c.hash != m_hash)
    diverged(where() + format(": the record has count %" PRIu64 " there%s", c.count,
                              c.hash != m_hash
                                  ? format(" and other exits since exit %" PRIu64,
                                           m_exits > kCheckEvery ? m_exits - kCheckEvery : 0)
                                        .c_str()
                                  : ""));
}

std::optional<std::string> RecordReplay::finish(const StopInfo& stop) {
  const uint64_t count = emu::icount_now();
  const int kind = static_cast<int>(stop.kind);
  if (!m_replaying) {
    write_line(format("end %" PRIu64 " %" PRIu64 " %016" PRIx64 " %d %d\n", count, m_exits, m_hash,
                      kind, stop.status));
    const std::string sum = format("sum %016" PRIx64 "\n", m_sum);
    if (std::fwrite(sum.data(), 1, sum.size(), m_out) != sum.size()) m_write_failed = true;
    const bool closed = std::fclose(m_out) == 0;
    m_out = nullptr;
    if (m_write_failed || !closed) return std::string("--record: the record could not be written");
    return std::nullopt;
  }
  if (m_diverged) return std::nullopt;  // the VM's stop says where
  if (count == m_end.count && m_exits == m_end.exits && m_hash == m_end.hash &&
      kind == m_end.kind && stop.status == m_end.status && m_next_input == m_inputs.size() &&
      devices_done())
    return std::nullopt;
  return format("replay diverged: the run ended at count %" PRIu64 " after %" PRIu64
                " exits (stop kind %d, status %d), the record at count %" PRIu64 " after %" PRIu64
                " exits (stop kind %d, status %d)%s; %zu of %zu inputs delivered%s",
                count, m_exits, kind, stop.status, m_end.count, m_end.exits, m_end.kind,
                m_end.status, m_hash != m_end.hash ? " with other exits since the last check" : "",
                m_next_input, m_inputs.size(), devices_done() ? "" : ", not every device input");
}

}  // namespace tandem::cli
