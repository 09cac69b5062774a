// SPDX-License-Identifier: Apache-2.0
// The guest console on the host: bytes from the emulated UART go to stdout, unbuffered
// (run_command), and flushed when the VM stops.
#pragma once

#include <cstdio>

#include "devices/char_sink.h"

namespace tandem::cli {

class StdoutSink final : public CharSink {
 public:
  void put(uint8_t c) override { std::fputc(c, stdout); }
  ~StdoutSink() { std::fflush(stdout); }
};

}  // namespace tandem::cli
