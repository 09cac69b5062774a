// SPDX-License-Identifier: Apache-2.0
#include "backends/hosted/gdb/gdb_session.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <optional>

#include "backends/hosted/gdb/gdb_packet.h"
#include "backends/hosted/gdb/gdb_text.h"

namespace tandem::gdb {
namespace {

constexpr const char* kError = "E01";
constexpr const char* kFault = "E0e";  // EFAULT: memory the guest does not map
// m packets: at most this many bytes per reply (two hex digits each within kMaxPacket).
constexpr uint64_t kMaxMemoryReply = kMaxPacket / 2 - 16;
// A read or write of guest memory is split at this size, so a mapping that ends part way
// through gives a short read of what was mapped.
constexpr uint64_t kPage = 4096;
constexpr uint64_t kMaxMonitorDump = 4096;

bool starts(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

std::string hex(uint64_t v) {
  char buf[20];
  std::snprintf(buf, sizeof buf, "%" PRIx64, v);
  return buf;
}

}  // namespace

Session::Session(Target& target, const ArchDescription& arch)
    : m_target(target), m_arch(arch), m_xml(target_xml(arch)) {}

std::string Session::stop_reply(const StopEvent& stop) {
  char buf[96];
  const unsigned thread = stop.cpu + 1;
  switch (stop.stop) {
    case StopKind::kInterrupt: std::snprintf(buf, sizeof buf, "T02thread:%x;", thread); break;
    case StopKind::kStep: std::snprintf(buf, sizeof buf, "T05thread:%x;", thread); break;
    case StopKind::kBreakpoint:
      std::snprintf(buf, sizeof buf, "T05thread:%x;%s:;", thread,
                    stop.kind == BreakKind::kHardware ? "hwbreak" : "swbreak");
      break;
    case StopKind::kWatch: {
      const char* what = stop.kind == BreakKind::kWatchRead     ? "rwatch"
                         : stop.kind == BreakKind::kWatchAccess ? "awatch"
                                                                : "watch";
      std::snprintf(buf, sizeof buf, "T05thread:%x;%s:%" PRIx64 ";", thread, what, stop.addr);
      break;
    }
  }
  m_general_cpu = m_continue_cpu = stop.cpu;
  m_last_stop = buf;
  return m_last_stop;
}

std::string Session::exit_reply(int status) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "W%02x", status & 0xff);
  return buf;
}

bool Session::valid_thread(std::string_view id, unsigned& cpu, bool allow_all) const {
  if (id == "-1" || id == "0") return allow_all;
  const auto n = parse_hex(id);
  if (!n || *n == 0 || *n > m_target.cpu_count()) return false;
  cpu = static_cast<unsigned>(*n - 1);
  return true;
}

Session::Outcome Session::handle(std::string_view p) {
  Outcome out;
  std::string reply;
  if (p.empty()) {
    out.replies.push_back("");
    return out;
  }
  const std::string_view args = p.substr(1);
  switch (p[0]) {
    case '?': reply = m_last_stop; break;
    case 'g': reply = p.size() == 1 ? read_registers() : ""; break;
    case 'G': reply = write_registers(args); break;
    case 'p': reply = read_register(args); break;
    case 'P': reply = write_register(args); break;
    case 'm': reply = read_memory(args); break;
    case 'M': reply = write_memory(args, false); break;
    case 'X': reply = write_memory(args, true); break;
    case 'Z': reply = breakpoint(args, true); break;
    case 'z': reply = breakpoint(args, false); break;
    case 'H': {
      unsigned cpu = 0;
      if (args.size() < 2 || (args[0] != 'g' && args[0] != 'c')) {
        reply = kError;
        break;
      }
      const bool all = args.substr(1) == "-1" || args.substr(1) == "0";
      if (!valid_thread(args.substr(1), cpu, true)) {
        reply = kError;
        break;
      }
      if (!all) (args[0] == 'g' ? m_general_cpu : m_continue_cpu) = cpu;
      reply = "OK";
      break;
    }
    case 'T': {
      unsigned cpu = 0;
      reply = valid_thread(args, cpu, false) ? "OK" : kError;
      break;
    }
    case 'c':
    case 's':
    case 'C':
    case 'S':
    case 'v':
      if (p[0] == 'v' && !starts(p, "vCont")) break;  // other v packets: not supported
      if (p == "vCont?") {
        reply = "vCont;c;C;s;S";
        break;
      }
      out = resume(p);
      if (out.resume || !out.replies.empty()) return out;
      reply = kError;
      break;
    case 'D':
      out.replies.push_back("OK");
      out.resume = true;
      out.how = {ResumeKind::kDetach, 0};
      return out;
    case 'k':
      out.resume = true;
      out.how = {ResumeKind::kKill, 0};
      return out;
    case 'q':
    case 'Q': reply = query(p, out); break;
    default: break;  // not supported: the empty reply
  }
  out.replies.push_back(std::move(reply));
  return out;
}

Session::Outcome Session::resume(std::string_view p) {
  Outcome out;
  auto step = [&](unsigned cpu) {
    out.resume = true;
    out.how = {ResumeKind::kStep, cpu};
  };
  auto cont = [&] {
    out.resume = true;
    out.how = {ResumeKind::kContinue, 0};
  };
  if (p[0] == 'c' || p[0] == 's' || p[0] == 'C' || p[0] == 'S') {
    // c [addr] / C sig[;addr]: signals mean nothing to a VM; a resume address is refused.
    const bool with_signal = p[0] == 'C' || p[0] == 'S';
    std::string_view rest = p.substr(1);
    if (with_signal) {
      const size_t semi = rest.find(';');
      if (!parse_hex(rest.substr(0, semi))) return out;
      rest = semi == std::string_view::npos ? std::string_view{} : rest.substr(semi + 1);
    }
    if (!rest.empty()) return out;
    if (p[0] == 's' || p[0] == 'S')
      step(m_continue_cpu);
    else
      cont();
    return out;
  }
  // vCont;action[:thread][;action[:thread]]...: a step of one thread wins (the others stay
  // stopped while it steps, as GDB's scheduler-locking "step" mode); a continue of one thread
  // alone (no default action) leaves the others stopped; otherwise all continue.
  if (!starts(p, "vCont;")) return out;
  std::string_view actions = p.substr(6);
  bool any = false;
  bool all = false;
  std::optional<unsigned> one;
  std::optional<unsigned> stepping;
  while (!actions.empty()) {
    const size_t semi = actions.find(';');
    std::string_view a = actions.substr(0, semi);
    actions = semi == std::string_view::npos ? std::string_view{} : actions.substr(semi + 1);
    std::string_view thread;
    if (const auto parts = split(a, ':')) {
      a = parts->first;
      thread = parts->second;
    }
    if (a.empty()) return Outcome{};
    const char op = a[0];
    if ((op == 'C' || op == 'S') && !parse_hex(a.substr(1))) return Outcome{};
    if ((op == 'c' || op == 's') && a.size() != 1) return Outcome{};
    if (op != 'c' && op != 's' && op != 'C' && op != 'S') return Outcome{};
    unsigned cpu = m_continue_cpu;
    const bool every = thread.empty() || thread == "-1" || thread == "0";
    if (!every && !valid_thread(thread, cpu, false)) return Outcome{};
    if (op == 's' || op == 'S') {
      if (!stepping) stepping = cpu;
    } else if (every) {
      all = true;
    } else if (!one) {
      one = cpu;
    }
    any = true;
  }
  if (!any) return Outcome{};
  if (stepping) {
    step(*stepping);
  } else {
    cont();
    if (!all && one) {
      out.how.cpu = *one;
      out.how.only = true;
    }
  }
  return out;
}

std::string Session::read_registers() {
  std::string out;
  for (unsigned i = 0; i < m_arch.registers.size(); ++i) {
    std::vector<uint8_t> bytes(register_bytes(i));
    if (m_target.read_register(m_general_cpu, i, bytes))
      out += bytes_to_hex(bytes);
    else
      out.append(bytes.size() * 2, 'x');
  }
  return out;
}

std::string Session::write_registers(std::string_view hex) {
  const auto bytes = hex_to_bytes(hex);
  if (!bytes) return kError;
  size_t at = 0;
  for (unsigned i = 0; i < m_arch.registers.size(); ++i) {
    const unsigned n = register_bytes(i);
    if (at + n > bytes->size()) break;
    if (!m_target.write_register(m_general_cpu, i, std::span(*bytes).subspan(at, n))) return kError;
    at += n;
  }
  return "OK";
}

std::string Session::read_register(std::string_view args) {
  const auto n = parse_hex(args);
  if (!n || *n >= m_arch.registers.size()) return kError;
  const auto index = static_cast<unsigned>(*n);
  std::vector<uint8_t> bytes(register_bytes(index));
  if (!m_target.read_register(m_general_cpu, index, bytes))
    return std::string(bytes.size() * 2, 'x');
  return bytes_to_hex(bytes);
}

std::string Session::write_register(std::string_view args) {
  const auto parts = split(args, '=');
  if (!parts) return kError;
  const auto n = parse_hex(parts->first);
  const auto bytes = hex_to_bytes(parts->second);
  if (!n || *n >= m_arch.registers.size() || !bytes) return kError;
  const auto index = static_cast<unsigned>(*n);
  if (bytes->size() != register_bytes(index)) return kError;
  return m_target.write_register(m_general_cpu, index, *bytes) ? "OK" : kError;
}

std::string Session::read_memory(std::string_view args) {
  const auto range = parse_hex_pair(args);
  if (!range) return kError;
  const auto [addr, len] = *range;
  // GDB accepts a shorter reply than asked for; huge lengths are cut to one packet.
  const uint64_t want = len < kMaxMemoryReply ? len : kMaxMemoryReply;
  std::vector<uint8_t> bytes;
  uint64_t va = addr;
  while (bytes.size() < want) {
    const uint64_t chunk = std::min(want - bytes.size(), kPage - va % kPage);
    const auto pa = m_target.translate(m_general_cpu, va);
    std::vector<uint8_t> part(chunk);
    if (!pa || !m_target.read_physical(*pa, part)) break;
    bytes.insert(bytes.end(), part.begin(), part.end());
    va += chunk;
  }
  if (bytes.empty() && want != 0) return kFault;
  return bytes_to_hex(bytes);
}

std::string Session::write_memory(std::string_view args, bool binary) {
  const auto head = split(args, ':');
  if (!head) return kError;
  const auto range = parse_hex_pair(head->first);
  const auto bytes = binary ? unescape_binary(head->second) : hex_to_bytes(head->second);
  if (!range || !bytes || bytes->size() != range->second) return kError;
  uint64_t done = 0;
  while (done < bytes->size()) {
    const uint64_t va = range->first + done;
    const uint64_t chunk = std::min<uint64_t>(bytes->size() - done, kPage - va % kPage);
    const auto pa = m_target.translate(m_general_cpu, va);
    if (!pa || !m_target.write_physical(*pa, std::span(*bytes).subspan(done, chunk))) return kFault;
    done += chunk;
  }
  return "OK";
}

std::string Session::breakpoint(std::string_view args, bool insert) {
  // type,addr,kind[;cond...]: conditions are evaluated by GDB itself.
  const std::string_view main = args.substr(0, args.find(';'));
  const auto first = split(main, ',');
  if (!first) return kError;
  const auto type = parse_hex(first->first);
  const auto rest = parse_hex_pair(first->second);
  if (!type || !rest || *type > 4) return kError;
  const auto [addr, len] = *rest;
  if (*type >= 2 && (len == 0 || len > 8)) return kError;
  const auto kind = static_cast<BreakKind>(*type);
  const bool done =
      insert ? m_target.insert_break(kind, addr, len) : m_target.remove_break(kind, addr, len);
  return done ? "OK" : kError;
}

std::string Session::query(std::string_view p, Outcome& out) {
  if (starts(p, "qSupported"))
    return "PacketSize=" + hex(kMaxPacket) +
           ";qXfer:features:read+;QStartNoAckMode+;swbreak+;hwbreak+;vContSupported+";
  if (p == "QStartNoAckMode") {
    m_no_ack = true;
    return "OK";
  }
  if (starts(p, "qXfer:features:read:")) {
    const std::string_view rest = p.substr(20);
    const auto parts = split(rest, ':');
    if (!parts || parts->first != "target.xml") return "E00";
    const auto range = split(parts->second, ',');
    if (!range) return kError;
    const auto off = parse_hex(range->first);
    const auto len = parse_hex(range->second);
    if (!off || !len) return kError;
    if (*off >= m_xml.size()) return "l";
    const uint64_t n = std::min({*len, uint64_t{m_xml.size() - *off}, uint64_t{kMaxPacket - 16}});
    return (*off + n >= m_xml.size() ? "l" : "m") + m_xml.substr(*off, n);
  }
  if (p == "qfThreadInfo") {
    std::string r = "m";
    for (unsigned i = 0; i < m_target.cpu_count(); ++i) {
      char id[16];
      std::snprintf(id, sizeof id, "%s%x", i == 0 ? "" : ",", i + 1);
      r += id;
    }
    return r;
  }
  if (p == "qsThreadInfo") return "l";
  if (p == "qC") {
    char id[16];
    std::snprintf(id, sizeof id, "QC%x", m_general_cpu + 1);
    return id;
  }
  if (p == "qAttached") return "1";
  if (starts(p, "qThreadExtraInfo,")) {
    unsigned cpu = 0;
    if (!valid_thread(p.substr(17), cpu, false)) return kError;
    return text_to_hex("vCPU " + std::to_string(cpu));
  }
  if (starts(p, "qRcmd,")) return monitor(p.substr(6), out);
  return "";
}

// `monitor` commands: what the protocol has no packet for.
std::string Session::monitor(std::string_view hex_command, Outcome& out) {
  const auto raw = hex_to_bytes(hex_command);
  if (!raw) return kError;
  const std::string line(raw->begin(), raw->end());
  auto print = [&out](const std::string& text) { out.replies.push_back("O" + text_to_hex(text)); };
  char cmd[16] = {};
  char a[32] = {};
  char b[32] = {};
  const int n = std::sscanf(line.c_str(), "%15s %31s %31s", cmd, a, b);
  const std::string_view c = n >= 1 ? cmd : "";
  auto number = [](const char* s) -> std::optional<uint64_t> {
    std::string_view v = s;
    if (starts(v, "0x")) v = v.substr(2);
    return parse_hex(v);
  };
  if (c == "phys" && n >= 2) {
    const auto addr = number(a);
    const auto len = n == 3 ? number(b) : std::optional<uint64_t>(16);
    if (!addr || !len || *len == 0 || *len > kMaxMonitorDump) {
      print("usage: monitor phys ADDR [LEN]  (hex, LEN at most 0x1000)\n");
      return "OK";
    }
    std::vector<uint8_t> bytes(*len);
    if (!m_target.read_physical(*addr, bytes)) {
      print("not guest RAM\n");
      return "OK";
    }
    std::string text;
    for (uint64_t i = 0; i < bytes.size(); i += 16) {
      char line_buf[32];
      std::snprintf(line_buf, sizeof line_buf, "%016" PRIx64 ":", *addr + i);
      text += line_buf;
      for (uint64_t j = i; j < i + 16 && j < bytes.size(); ++j) {
        std::snprintf(line_buf, sizeof line_buf, " %02x", bytes[j]);
        text += line_buf;
      }
      text += "\n";
    }
    print(text);
    return "OK";
  }
  if (c == "v2p" && n == 2) {
    const auto va = number(a);
    if (!va) {
      print("usage: monitor v2p ADDR\n");
      return "OK";
    }
    const auto pa = m_target.translate(m_general_cpu, *va);
    char buf[96];
    if (pa)
      std::snprintf(buf, sizeof buf, "vCPU %u: %#" PRIx64 " -> physical %#" PRIx64 "\n",
                    m_general_cpu, *va, *pa);
    else
      std::snprintf(buf, sizeof buf, "vCPU %u: %#" PRIx64 " is not mapped\n", m_general_cpu, *va);
    print(buf);
    return "OK";
  }
  print(
      "Tandem monitor commands:\n"
      "  phys ADDR [LEN]  guest-physical memory (RAM), hex dump\n"
      "  v2p ADDR         the current vCPU's translation of a virtual address\n");
  return "OK";
}

}  // namespace tandem::gdb
