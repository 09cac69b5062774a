// SPDX-License-Identifier: Apache-2.0
// Interrupt lines. A device holds an IrqLine; the line forwards level changes to the interrupt
// controller model it is wired to (GIC, PLIC, IOAPIC, or the in-kernel irqchip on KVM). An
// unconnected line ignores changes, so devices work before interrupts are wired.
#pragma once

#include <cstdint>

namespace tandem {

class IrqController {
 public:
  virtual void set_irq_level(uint32_t irq, bool level) = 0;

 protected:
  ~IrqController() = default;
};

class IrqLine {
 public:
  IrqLine() = default;
  IrqLine(IrqController* controller, uint32_t irq) : m_controller(controller), m_irq(irq) {}

  void raise() { set(true); }
  void lower() { set(false); }
  // Edge-triggered use: raise then lower.
  void pulse() {
    set(true);
    set(false);
  }
  // Only changes reach the controller: a device may recompute its output on every access.
  void set(bool level) {
    if (level == m_level) return;
    m_level = level;
    if (m_controller != nullptr) m_controller->set_irq_level(m_irq, level);
  }
  bool level() const { return m_level; }
  bool connected() const { return m_controller != nullptr; }
  uint32_t irq() const { return m_irq; }

 private:
  IrqController* m_controller = nullptr;
  uint32_t m_irq = 0;
  bool m_level = false;
};

}  // namespace tandem
