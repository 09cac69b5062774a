// SPDX-License-Identifier: Apache-2.0
// Device interrupt lines into KVM's in-kernel irqchip (the 8259 pair and the IOAPIC that
// KVM_CREATE_IRQCHIP made): set_irq_level(irq, level) drives GSI `irq` with KVM_IRQ_LINE
// (api.rst, 4.25). KVM's default routing sends GSI n < 16 to PIC input n and every GSI n < 24
// to IOAPIC pin n, except that KvmMachine routes GSI 0 to IOAPIC pin 2 as QEMU's pc board and
// an ACPI interrupt source override do, so on the PC map COM1 is irq 4 and the PIT irq 0.
// Thread-safe: KVM_IRQ_LINE is a VM ioctl, callable from any vCPU or host thread.
#pragma once

#include <cstdint>

#include "core/irq/irq_line.h"

namespace tandem::kvm {

class KvmIrqLines final : public IrqController {
 public:
  // GSIs the in-kernel IOAPIC has pins for (KVM_IOAPIC_NUM_PINS).
  static constexpr uint32_t kGsiCount = 24;

  explicit KvmIrqLines(int vm_fd) : m_vm_fd(vm_fd) {}
  KvmIrqLines(const KvmIrqLines&) = delete;
  KvmIrqLines& operator=(const KvmIrqLines&) = delete;
  ~KvmIrqLines() = default;

  // Drives GSI `irq` to `level`. An irq past kGsiCount or a failing ioctl is logged (once per
  // line) and dropped: a device cannot act on the error.
  void set_irq_level(uint32_t irq, bool level) override;

 private:
  int m_vm_fd;
  bool m_warned[kGsiCount + 1] = {};
};

}  // namespace tandem::kvm
