// SPDX-License-Identifier: Apache-2.0
#include "cli/recorded_devices.h"

#include <algorithm>

namespace tandem::cli {
namespace {

// Recording: `out` as the host filled it (or the host's failure) into the record.
Result<void> record_bytes(DeviceLog& record, const std::string& channel,
                          std::span<const uint8_t> out, Result<void> host) {
  DeviceInput input;
  input.ok = host.ok();
  if (input.ok) input.bytes.assign(out.begin(), out.end());
  record.record_device(channel, input);
  return host;
}

// Replaying: `out` filled from the record (or the recorded failure).
Result<void> replay_bytes(DeviceLog& record, const std::string& channel, std::span<uint8_t> out) {
  const auto input = record.replay_device(channel, out.size());
  if (!input || !input->ok) return Error(Status::kBackend);
  std::copy(input->bytes.begin(), input->bytes.end(), out.begin());
  return ok();
}

}  // namespace

Result<void> RecordedEntropy::fill(std::span<uint8_t> out) {
  if (m_record.replaying()) return replay_bytes(m_record, "rng", out);
  return record_bytes(m_record, "rng", out, m_host.fill(out));
}

Result<void> RecordedBlockStorage::read(uint64_t offset, std::span<uint8_t> out) {
  if (m_record.replaying()) return replay_bytes(m_record, m_channel, out);
  return record_bytes(m_record, m_channel, out, m_host.read(offset, out));
}

template <class Op>
Result<void> RecordedBlockStorage::change(Op op) {
  if (m_record.replaying()) return replay_bytes(m_record, m_channel, {});
  return record_bytes(m_record, m_channel, {}, op());
}

Result<void> RecordedBlockStorage::write(uint64_t offset, std::span<const uint8_t> in) {
  return change([&] { return m_host.write(offset, in); });
}

Result<void> RecordedBlockStorage::flush() {
  return change([&] { return m_host.flush(); });
}

Result<void> RecordedBlockStorage::discard(uint64_t offset, uint64_t size) {
  return change([&] { return m_host.discard(offset, size); });
}

Result<void> RecordedBlockStorage::write_zeroes(uint64_t offset, uint64_t size) {
  return change([&] { return m_host.write_zeroes(offset, size); });
}

void RecordedNet::send(std::span<const uint8_t> frame) {
  if (m_host != nullptr) m_host->send(frame);
}

size_t RecordedNet::receive(std::span<uint8_t> out) {
  if (m_record.replaying()) {
    if (!m_record.input_due(m_channel)) return 0;
    const auto input = m_record.replay_device(m_channel, DeviceLog::kAnySize);
    if (!input || !input->ok || input->bytes.size() > out.size()) return 0;
    std::copy(input->bytes.begin(), input->bytes.end(), out.begin());
    return input->bytes.size();
  }
  const size_t size = m_host->receive(out);
  if (size != 0) {
    DeviceInput input;
    input.bytes.assign(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(size));
    m_record.record_device(m_channel, input);
  }
  return size;
}

}  // namespace tandem::cli
