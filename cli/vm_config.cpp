// SPDX-License-Identifier: Apache-2.0
#include "cli/vm_config.h"

#include <toml++/toml.h>

#include <cstdio>
#include <string_view>

#include "cli/config_keys.h"

namespace tandem::cli {
namespace {

// Axvisor's memory_regions map types (axvmconfig VmMemMappingType).
constexpr int64_t kMapAlloc = 0;
constexpr int64_t kFlagsRwx = 0x7;  // axaddrspace MappingFlags READ | WRITE | EXECUTE

class Reader {
 public:
  explicit Reader(std::string path) : m_path(std::move(path)) {}

  std::optional<std::vector<ConfigWord>> read() {
    toml::table root;
    try {
      root = toml::parse_file(m_path);
    } catch (const toml::parse_error& e) {
      if (e.source().begin.line == 0) {  // not a syntax error: the file could not be read
        std::fprintf(stderr, "%s: error: %s\n", m_path.c_str(),
                     std::string(e.description()).c_str());
        return std::nullopt;
      }
      std::fprintf(stderr, "%s:%u:%u: error: %s\n", m_path.c_str(), e.source().begin.line,
                   e.source().begin.column, std::string(e.description()).c_str());
      return std::nullopt;
    }
    for (const auto& [section, node] : root) {
      const toml::table* table = node.as_table();
      if (table == nullptr) {
        report(node, "", std::string(section.str()), "error",
               "not a section; keys go in [tandem], [base], [kernel] or [devices]");
        continue;
      }
      for (const auto& [key, value] : *table)
        read_key(std::string(section.str()), key.str(), value);
    }
    if (m_errors > 0) return std::nullopt;
    return std::move(m_words);
  }

 private:
  void read_key(const std::string& section, std::string_view key, const toml::node& value) {
    for (const ConfigKey& k : kConfigKeys)
      if (section == k.section && key == k.key) return add(k, value);
    for (const IgnoredKey& k : kIgnoredKeys)
      if (section == k.section && key == k.key) return ignored(k, value);
    if (section == "kernel" && key == "memory_regions") return memory_regions(value);
    const bool known_section =
        section == "tandem" || section == "base" || section == "kernel" || section == "devices";
    report(value, section, std::string(key), "error",
           known_section ? "unknown key"
                         : "unknown section (Tandem reads [tandem], and "
                           "Axvisor's [base], [kernel], [devices])");
  }

  void add(const ConfigKey& k, const toml::node& value) {
    const std::string where = location(value, k.section, k.key);
    for (const ConfigWord& w : m_words)
      if (w.option == k.option && k.kind != KeyKind::kStrings) {
        error(value, k.section, k.key,
              "sets " + option_name(k) + " again (first at " + w.where + ")");
        return;
      }
    switch (k.kind) {
      case KeyKind::kString:
        if (auto s = value.as_string()) return push(k, s->get(), where);
        return error(value, k.section, k.key, "expected a string");
      case KeyKind::kPath:
        if (auto s = value.as_string()) return push(k, relative_to_config(s->get()), where);
        return error(value, k.section, k.key, "expected a file name (a string)");
      case KeyKind::kInteger:
        if (auto n = value.as_integer()) return push(k, std::to_string(n->get()), where);
        return error(value, k.section, k.key, "expected an integer");
      case KeyKind::kSize:
        if (auto n = value.as_integer()) return push(k, std::to_string(n->get()), where);
        if (auto s = value.as_string()) return push(k, s->get(), where);
        return error(value, k.section, k.key, "expected a size: an integer or a string (\"128M\")");
      case KeyKind::kNumber:
        if (auto n = value.as_integer()) return push(k, std::to_string(n->get()), where);
        if (auto f = value.as_floating_point()) {
          char text[64];
          std::snprintf(text, sizeof text, "%.17g", f->get());
          return push(k, text, where);
        }
        if (auto s = value.as_string()) return push(k, s->get(), where);
        return error(value, k.section, k.key, "expected a number");
      case KeyKind::kFlag:
        if (auto b = value.as_boolean()) {
          if (b->get()) push(k, "", where);
          return;
        }
        return error(value, k.section, k.key, "expected true or false");
      case KeyKind::kStrings:
        if (const toml::array* a = value.as_array()) {
          for (const toml::node& e : *a) {
            if (!e.is_string()) return error(e, k.section, k.key, "expected an array of strings");
            push(k, *e.value<std::string>(), where);
          }
          return;
        }
        return error(value, k.section, k.key, "expected an array of strings");
    }
  }

  void ignored(const IgnoredKey& k, const toml::node& value) {
    if (const toml::array* a = value.as_array(); a != nullptr && a->empty())
      return;  // asks nothing
    if (std::string_view(k.key) == "interrupt_mode") {
      const auto mode = value.value<std::string>();
      if (mode && (*mode == "emu" || *mode == "emulated")) return;  // what Tandem does
    }
    report(value, k.section, k.key, "warning", std::string("not supported, ignored: ") + k.why);
  }

  // Axvisor's [[base_paddr, size, flags, map_type], ...]: Tandem gives a VM one RAM region at
  // its board's RAM base, so exactly one region, whose size becomes --mem.
  void memory_regions(const toml::node& value) {
    const char* section = "kernel";
    const char* key = "memory_regions";
    const toml::array* regions = value.as_array();
    if (regions == nullptr)
      return error(value, section, key, "expected [[base, size, flags, map_type], ...]");
    if (regions->empty()) return;  // the board's default RAM size
    if (regions->size() > 1)
      return error(value, section, key,
                   "Tandem gives a VM one RAM region (at its board's RAM base); this config has " +
                       std::to_string(regions->size()));
    const toml::array* r = (*regions)[0].as_array();
    if (r == nullptr || r->size() != 4 || !r->is_homogeneous(toml::node_type::integer))
      return error((*regions)[0], section, key,
                   "a region is [base, size, flags, map_type], four integers");
    const int64_t size = *(*r)[1].value<int64_t>();
    const int64_t flags = *(*r)[2].value<int64_t>();
    const int64_t map_type = *(*r)[3].value<int64_t>();
    if (size <= 0) return error((*r)[1], section, key, "the region's size must be positive");
    report((*r)[0], section, key, "warning",
           "the region's base is not used: RAM starts at the board's RAM base (aarch64 "
           "0x4000_0000, riscv64 0x8000_0000, x86_64 0)");
    if (flags != kFlagsRwx)
      report((*r)[2], section, key, "warning",
             "flags other than 0x7 (read, write, execute) are not supported: guest RAM is RWX");
    if (map_type != kMapAlloc)
      report((*r)[3], section, key, "warning",
             "map_type " + std::to_string(map_type) +
                 " (identical/reserved) is not supported on a hosted backend: the RAM is "
                 "allocated (MAP_ALLOC)");
    const ConfigKey mem{"kernel", "memory_regions", "--mem", KeyKind::kSize};
    for (const ConfigWord& w : m_words)
      if (w.option == "--mem")
        return error(value, section, key, "sets --mem again (first at " + w.where + ")");
    push(mem, std::to_string(size), location(value, section, key));
  }

  std::string relative_to_config(const std::string& file) const {
    const size_t slash = m_path.find_last_of('/');
    if (file.empty() || file[0] == '/' || slash == std::string::npos) return file;
    return m_path.substr(0, slash + 1) + file;
  }
  void push(const ConfigKey& k, std::string value, const std::string& where) {
    m_words.push_back({k.option, std::move(value), where});
  }
  static std::string option_name(const ConfigKey& k) {
    return *k.option != 0 ? k.option : "the guest image";
  }
  std::string location(const toml::node& n, const std::string& section,
                       const std::string& key) const {
    return m_path + ":" + std::to_string(n.source().begin.line) + ": [" + section + "] " + key;
  }
  void error(const toml::node& n, const std::string& section, const std::string& key,
             const std::string& why) {
    report(n, section, key, "error", why);
  }
  void report(const toml::node& n, const std::string& section, const std::string& key,
              const char* level, const std::string& why) {
    if (std::string_view(level) == "error") m_errors++;
    const std::string where =
        section.empty() ? m_path + ":" + std::to_string(n.source().begin.line) + ": " + key
                        : location(n, section, key);
    std::fprintf(stderr, "%s: %s: %s\n", where.c_str(), level, why.c_str());
  }

  std::string m_path;
  std::vector<ConfigWord> m_words;
  unsigned m_errors = 0;
};

}  // namespace

std::optional<std::vector<ConfigWord>> read_vm_config(const std::string& path) {
  return Reader(path).read();
}

bool is_vm_config(const std::string& path) {
  return path.size() > 5 && path.compare(path.size() - 5, 5, ".toml") == 0;
}

}  // namespace tandem::cli
