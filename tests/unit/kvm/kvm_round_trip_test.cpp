// SPDX-License-Identifier: Apache-2.0
// The cost of one port-I/O exit round trip (guest OUT -> KVM_EXIT_IO -> device -> KVM_RUN),
// measured between consecutive device calls of a guest loop of OUTs. Printed for the record;
// asserted only loosely, as the machines run nested KVM (PLATFORM.md: ~8 us).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <vector>

#include "unit/kvm/kvm_fixture.h"

namespace tandem::kvm_test {
namespace {

TEST_F(KvmTest, PortIoRoundTripMedian) {
  const uint8_t code[] = {
      0x66, 0xba, 0x00, 0x05,        // mov    $0x500,%dx
      0xb9, 0xd0, 0x07, 0x00, 0x00,  // mov    $2000,%ecx
      0xee,                          // 1: out %al,(%dx)
      0xff, 0xc9,                    // dec    %ecx
      0x75, 0xfb,                    // jne    1b
      0xe6, 0xf4,                    // out %al,$0xf4: isa-debug-exit ends the run
  };
  boot64(code);
  EXPECT_EQ(run().kind, ExitKind::kSystemDown);
  ASSERT_EQ(m_port.accesses.size(), 2000u);
  std::vector<uint64_t> gaps;
  for (size_t i = 1; i < m_port.accesses.size(); ++i)
    gaps.push_back(m_port.accesses[i].ns - m_port.accesses[i - 1].ns);
  std::nth_element(gaps.begin(), gaps.begin() + gaps.size() / 2, gaps.end());
  const double median_us = static_cast<double>(gaps[gaps.size() / 2]) / 1000.0;
  std::printf("kvm port-I/O exit round trip: median %.2f us over %zu exits\n", median_us,
              gaps.size());
  RecordProperty("port_io_round_trip_ns", static_cast<int>(gaps[gaps.size() / 2]));
  EXPECT_LT(median_us, 1000.0);
}

}  // namespace
}  // namespace tandem::kvm_test
