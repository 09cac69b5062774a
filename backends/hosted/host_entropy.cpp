// SPDX-License-Identifier: Apache-2.0
#include "backends/hosted/host_entropy.h"

#include <sys/random.h>

#include <cerrno>

namespace tandem::hosted {

Result<void> HostEntropy::fill(std::span<uint8_t> out) {
  for (size_t done = 0; done < out.size();) {
    const ssize_t n = getrandom(out.data() + done, out.size() - done, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return Error(Status::kBackend);
    done += static_cast<size_t>(n);
  }
  return ok();
}

}  // namespace tandem::hosted
