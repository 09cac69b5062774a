// SPDX-License-Identifier: Apache-2.0
// Where a console device's output goes: the hosted program forwards to stdout or a file, a
// bare-metal image to its own UART, a test to a buffer.
#pragma once

#include <cstdint>

namespace tandem {

class CharSink {
 public:
  virtual void put(uint8_t c) = 0;

 protected:
  ~CharSink() = default;
};

}  // namespace tandem
