// SPDX-License-Identifier: Apache-2.0
#include "backends/kvm/kvm_irq_lines.h"

#include <linux/kvm.h>
#include <spdlog/spdlog.h>
#include <sys/ioctl.h>

#include <atomic>
#include <cerrno>
#include <cstring>

namespace tandem::kvm {

void KvmIrqLines::set_irq_level(uint32_t irq, bool level) {
  const uint32_t slot = irq < kGsiCount ? irq : kGsiCount;
  if (irq >= kGsiCount) {
    if (!std::atomic_ref<bool>(m_warned[slot]).exchange(true))
      spdlog::warn("kvm: irq {} is past the in-kernel IOAPIC's {} pins; ignored", irq, kGsiCount);
    return;
  }
  kvm_irq_level line{};
  line.irq = irq;
  line.level = level ? 1 : 0;
  if (::ioctl(m_vm_fd, KVM_IRQ_LINE, &line) < 0 &&
      !std::atomic_ref<bool>(m_warned[slot]).exchange(true))
    spdlog::warn("kvm: KVM_IRQ_LINE for irq {} failed: {}", irq, std::strerror(errno));
}

}  // namespace tandem::kvm
