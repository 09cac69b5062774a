// SPDX-License-Identifier: Apache-2.0
// The host side of the virtio devices under `--record` / `--replay` (cli/device_log.h).
//
// Entropy: recording, the host's bytes go to the guest and into the record; replaying, the
// record's bytes go to the guest and getrandom() is never called.
//
// Disks: every operation's result goes into the record, with the data of every read. A replay
// never touches the image's contents: reads come from the record, writes, flushes, discards
// and zeroings succeed or fail as they did. The image is opened read-only for its size and
// serial number (which the record's header holds: a replay refuses another), so the file is
// what the recorded run left however often the run is replayed, on any machine, and a replay
// does not need the image's contents at all. The device completes every request inside the
// guest's queue notify (devices/virtio/block.cpp), so completions come at the same instruction
// count by themselves. The price: the record holds every byte the guest read.
//
// Networks: recording, every frame the host's network gives the device goes into the record
// at the count and exit it was taken (whenever the host's thread had it ready); replaying, the
// host's network is never started: the record's frames come at those points, and the guest's
// frames go nowhere.
#pragma once

#include <memory>
#include <string>

#include "cli/device_log.h"
#include "devices/virtio/block_storage.h"
#include "devices/virtio/entropy_source.h"
#include "devices/virtio/net_backend.h"

namespace tandem::cli {

class RecordedEntropy final : public virtio::EntropySource {
 public:
  RecordedEntropy(virtio::EntropySource& host, DeviceLog& record)
      : m_host(host), m_record(record) {}
  [[nodiscard]] Result<void> fill(std::span<uint8_t> out) override;

 private:
  virtio::EntropySource& m_host;
  DeviceLog& m_record;
};

class RecordedBlockStorage final : public virtio::BlockStorage {
 public:
  // `host`: the image (opened read-only when replaying); `read_only`: what the guest is told;
  // `channel`: the disk's channel in the record ("disk0"...).
  RecordedBlockStorage(virtio::BlockStorage& host, bool read_only, DeviceLog& record,
                       std::string channel)
      : m_host(host), m_read_only(read_only), m_record(record), m_channel(std::move(channel)) {}

  uint64_t size() const override { return m_host.size(); }
  bool read_only() const override { return m_read_only; }
  std::span<const char> id() const override { return m_host.id(); }
  [[nodiscard]] Result<void> read(uint64_t offset, std::span<uint8_t> out) override;
  [[nodiscard]] Result<void> write(uint64_t offset, std::span<const uint8_t> in) override;
  [[nodiscard]] Result<void> flush() override;
  [[nodiscard]] Result<void> discard(uint64_t offset, uint64_t size) override;
  [[nodiscard]] Result<void> write_zeroes(uint64_t offset, uint64_t size) override;

 private:
  // An operation without data: done on the host and recorded, or its recorded result.
  template <class Op>
  Result<void> change(Op op);

  virtio::BlockStorage& m_host;
  const bool m_read_only;
  DeviceLog& m_record;
  const std::string m_channel;
};

class RecordedNet final : public virtio::NetBackend {
 public:
  // `host`: the host's network (null when replaying); `channel`: "net0"...
  RecordedNet(virtio::NetBackend* host, DeviceLog& record, std::string channel)
      : m_host(host), m_record(record), m_channel(std::move(channel)) {}
  void send(std::span<const uint8_t> frame) override;
  size_t receive(std::span<uint8_t> out) override;

 private:
  virtio::NetBackend* m_host;
  DeviceLog& m_record;
  const std::string m_channel;
};

}  // namespace tandem::cli
