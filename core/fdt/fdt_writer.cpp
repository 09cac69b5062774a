// SPDX-License-Identifier: Apache-2.0
#include "core/fdt/fdt_writer.h"

#include "core/fdt/fdt.h"

namespace tandem::fdt {
namespace {

// Structure block tokens (DTSpec v0.4, 5.4.1).
constexpr uint32_t kBeginNode = 1;
constexpr uint32_t kEndNode = 2;
constexpr uint32_t kProp = 3;
constexpr uint32_t kEnd = 9;
// Header fields (5.2): version 17, compatible back to 16.
constexpr uint32_t kVersion = 17;
constexpr uint32_t kLastCompatibleVersion = 16;
// The memory reservation map holds only its {0, 0} terminator (5.3).
constexpr size_t kRsvmapOffset = kFdtHeaderSize;
constexpr size_t kStructOffset = kRsvmapOffset + 16;

size_t length(const char* s) {
  size_t n = 0;
  while (s[n] != 0) n++;
  return n;
}

void store_be32(uint8_t* p, uint32_t v) {
  p[0] = static_cast<uint8_t>(v >> 24);
  p[1] = static_cast<uint8_t>(v >> 16);
  p[2] = static_cast<uint8_t>(v >> 8);
  p[3] = static_cast<uint8_t>(v);
}

}  // namespace

FdtWriter::FdtWriter(std::span<uint8_t> out) : m_out(out), m_pos(kStructOffset) {
  if (m_out.size() < kStructOffset) m_overflow = true;
}

void FdtWriter::put_bytes(const void* data, size_t size) {
  if (m_overflow || size > m_out.size() - m_pos) {
    m_overflow = true;
    return;
  }
  const auto* bytes = static_cast<const uint8_t*>(data);
  for (size_t i = 0; i < size; i++) m_out[m_pos + i] = bytes[i];
  m_pos += size;
}

void FdtWriter::put32(uint32_t v) {
  uint8_t b[4];
  store_be32(b, v);
  put_bytes(b, 4);
}

void FdtWriter::pad4() {
  const uint8_t zeros[3] = {};
  put_bytes(zeros, (4 - m_pos % 4) % 4);
}

void FdtWriter::begin_node(const char* name) {
  put32(kBeginNode);
  put_bytes(name, length(name) + 1);
  pad4();
  m_depth++;
}

void FdtWriter::begin_node_at(const char* name, uint64_t base) {
  char text[64];
  size_t n = 0;
  for (; name[n] != 0 && n < sizeof text - 18; n++) text[n] = name[n];
  text[n++] = '@';
  char digits[16];
  size_t count = 0;
  do {
    digits[count++] = "0123456789abcdef"[base & 0xf];
    base >>= 4;
  } while (base != 0);
  while (count > 0) text[n++] = digits[--count];
  text[n] = 0;
  begin_node(text);
}

void FdtWriter::end_node() {
  if (m_depth == 0) {
    m_unbalanced = true;
    return;
  }
  put32(kEndNode);
  m_depth--;
}

uint32_t FdtWriter::string_offset(const char* name) {
  const size_t n = length(name);
  for (size_t at = 0; at < m_strings_size;) {
    const size_t here = length(m_strings + at);
    if (here == n) {
      bool same = true;
      for (size_t i = 0; i < n && same; i++) same = m_strings[at + i] == name[i];
      if (same) return static_cast<uint32_t>(at);
    }
    at += here + 1;
  }
  if (n + 1 > kMaxStrings - m_strings_size) {
    m_overflow = true;
    return 0;
  }
  const size_t at = m_strings_size;
  for (size_t i = 0; i <= n; i++) m_strings[at + i] = name[i];
  m_strings_size += n + 1;
  return static_cast<uint32_t>(at);
}

void FdtWriter::property(const char* name, std::span<const uint8_t> value) {
  put32(kProp);
  put32(static_cast<uint32_t>(value.size()));
  put32(string_offset(name));
  put_bytes(value.data(), value.size());
  pad4();
}

void FdtWriter::property_string(const char* name, const char* value) {
  property(name, std::span(reinterpret_cast<const uint8_t*>(value), length(value) + 1));
}

void FdtWriter::property_strings(const char* name, const char* list, size_t size) {
  property(name, std::span(reinterpret_cast<const uint8_t*>(list), size));
}

void FdtWriter::property_cells(const char* name, std::span<const uint32_t> cells) {
  put32(kProp);
  put32(static_cast<uint32_t>(cells.size() * 4));
  put32(string_offset(name));
  for (const uint32_t c : cells) put32(c);
}

void FdtWriter::property_reg(uint64_t base, uint64_t size) {
  property_cells("reg", base >> 32, base, size >> 32, size);
}

Result<size_t> FdtWriter::finish() {
  if (m_depth != 0 || m_unbalanced) return Error(Status::kInvalidArgument);
  put32(kEnd);
  const size_t struct_size = m_pos - kStructOffset;
  const size_t strings_offset = m_pos;
  put_bytes(m_strings, m_strings_size);
  if (m_overflow) return Error(Status::kCapacity);
  const size_t total = m_pos;
  uint8_t* h = m_out.data();
  const uint32_t header[10] = {kFdtMagic,
                               static_cast<uint32_t>(total),
                               static_cast<uint32_t>(kStructOffset),
                               static_cast<uint32_t>(strings_offset),
                               static_cast<uint32_t>(kRsvmapOffset),
                               kVersion,
                               kLastCompatibleVersion,
                               0,  // boot_cpuid_phys
                               static_cast<uint32_t>(m_strings_size),
                               static_cast<uint32_t>(struct_size)};
  for (size_t i = 0; i < 10; i++) store_be32(h + 4 * i, header[i]);
  for (size_t i = kRsvmapOffset; i < kStructOffset; i++) h[i] = 0;
  return total;
}

}  // namespace tandem::fdt
