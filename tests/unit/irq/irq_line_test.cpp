// SPDX-License-Identifier: Apache-2.0
#include "core/irq/irq_line.h"

#include <gtest/gtest.h>

#include <utility>
#include <vector>

namespace tandem {
namespace {

class RecordingController final : public IrqController {
 public:
  void set_irq_level(uint32_t irq, bool level) override { events.emplace_back(irq, level); }
  std::vector<std::pair<uint32_t, bool>> events;
};

TEST(IrqLine, ForwardsLevelChangesToItsController) {
  RecordingController gic;
  IrqLine line(&gic, 33);
  EXPECT_TRUE(line.connected());
  EXPECT_EQ(line.irq(), 33u);
  line.raise();
  EXPECT_TRUE(line.level());
  line.lower();
  EXPECT_FALSE(line.level());
  line.pulse();
  EXPECT_FALSE(line.level());
  const std::vector<std::pair<uint32_t, bool>> want = {
      {33, true}, {33, false}, {33, true}, {33, false}};
  EXPECT_EQ(gic.events, want);
}

TEST(IrqLine, OnlyChangesReachTheController) {
  RecordingController gic;
  IrqLine line(&gic, 40);
  line.lower();
  line.raise();
  line.raise();
  line.lower();
  const std::vector<std::pair<uint32_t, bool>> want = {{40, true}, {40, false}};
  EXPECT_EQ(gic.events, want);
}

TEST(IrqLine, UnconnectedLineKeepsItsLevelAndCallsNothing) {
  IrqLine line;
  EXPECT_FALSE(line.connected());
  line.raise();
  EXPECT_TRUE(line.level());
  line.set(false);
  EXPECT_FALSE(line.level());
}

}  // namespace
}  // namespace tandem
