// SPDX-License-Identifier: Apache-2.0
#include "devices/uart/ns16550.h"

#include "core/base/log.h"

namespace tandem {
namespace {

// LSR bits that raise the receiver line status interrupt: OE, PE, FE, BI.
constexpr uint8_t kLsrErrorBits = 0x1E;
// MSR delta bits (DCTS, DDSR, TERI, DDCD), cleared by reading MSR.
constexpr uint8_t kMsrDeltaBits = 0x0F;
// FCR bits that stick: FIFO enable, DMA mode, trigger level.
constexpr uint8_t kFcrStickyBits = 0xC9;

}  // namespace

Ns16550::Ns16550(CharSink& sink, Ns16550Access access, unsigned reg_shift, IrqLine irq)
    : m_sink(sink),
      m_access(access),
      m_shift(access == Ns16550Access::kMmio ? reg_shift : 0),
      m_irq(irq) {
  reset();
}

// QEMU's reset state (serial_reset): 9600 baud (divisor 12 for the 1.8432 MHz clock), OUT2 set
// so a PC's interrupt line is enabled, transmitter idle, and the modem inputs CTS, DSR and DCD
// asserted (what a chardev that is not a real serial port reports).
void Ns16550::reset() {
  m_rx_fifo = {};
  m_rx_head = m_rx_count = 0;
  m_rx_trigger = 1;
  m_divider = 0x0C;
  m_rbr = m_ier = m_fcr = m_lcr = m_scr = 0;
  m_iir = IIR_NO_INT;
  m_mcr = 0x08;
  m_lsr = LSR_THRE | LSR_TEMT;
  m_msr = MSR_DCD | MSR_DSR | MSR_CTS;
  m_thr_ipending = false;
  m_timeout_pending = false;
  m_irq.lower();
}

// Widths as QEMU: the port-I/O region implements byte accesses only, so its memory core splits
// a 2- or 4-byte IN/OUT into byte accesses to consecutive registers, low byte first; the MMIO
// region passes any width through as a single register access (serial_mm_read/write), and a
// write keeps only the low byte.
// One register, the usual access on either mapping (m_shift is 0 for port I/O), is a tail call:
// a guest polling LSR makes it the most frequent exit of a PC. Other widths are out of line,
// so this path saves no registers.
uint64_t Ns16550::read(uint64_t offset, unsigned size) {
  if (size == 1) return read_reg((offset >> m_shift) & 7);
  return read_wide(offset, size);
}

void Ns16550::write(uint64_t offset, unsigned size, uint64_t value) {
  if (size == 1) return write_reg((offset >> m_shift) & 7, static_cast<uint8_t>(value));
  write_wide(offset, size, value);
}

uint64_t Ns16550::read_wide(uint64_t offset, unsigned size) {
  if (size == 0 || size > 8) {
    TLOG_DEBUG("ns16550: %u-byte read ignored", size);
    return 0;
  }
  if (m_access == Ns16550Access::kMmio) return read_reg((offset >> m_shift) & 7);
  uint64_t value = 0;
  for (unsigned i = 0; i < size; ++i) value |= uint64_t{read_reg((offset + i) & 7)} << (8 * i);
  return value;
}

void Ns16550::write_wide(uint64_t offset, unsigned size, uint64_t value) {
  if (size == 0 || size > 8) {
    TLOG_DEBUG("ns16550: %u-byte write ignored", size);
    return;
  }
  if (m_access == Ns16550Access::kMmio) {
    write_reg((offset >> m_shift) & 7, static_cast<uint8_t>(value));
    return;
  }
  for (unsigned i = 0; i < size; ++i)
    write_reg((offset + i) & 7, static_cast<uint8_t>(value >> (8 * i)));
}

uint8_t Ns16550::read_reg(unsigned reg) {
  const bool dlab = (m_lcr & LCR_DLAB) != 0;
  switch (reg) {
    case RBR: {
      if (dlab) return static_cast<uint8_t>(m_divider);
      uint8_t c = m_rbr;
      if ((m_fcr & FCR_FE) != 0) {
        c = 0;  // an empty FIFO reads as 0
        if (m_rx_count > 0) {
          c = m_rx_fifo[m_rx_head];
          m_rx_head = (m_rx_head + 1) % kFifoSize;
          --m_rx_count;
        }
        if (m_rx_count == 0) m_lsr &= ~(LSR_DR | LSR_BI);
        m_timeout_pending = false;
      } else {
        m_lsr &= ~(LSR_DR | LSR_BI);
      }
      update_irq();
      return c;
    }
    case IER: return dlab ? static_cast<uint8_t>(m_divider >> 8) : m_ier;
    case IIR: {
      // Reading IIR while it reports THRE acknowledges that interrupt (datasheet, "Interrupt
      // Control Functions").
      const uint8_t iir = m_iir;
      if ((iir & IIR_ID_MASK) == IIR_THRI) {
        m_thr_ipending = false;
        update_irq();
      }
      return iir;
    }
    case LCR: return m_lcr;
    case MCR: return m_mcr;
    case LSR: {
      // Overrun and break are cleared by reading LSR.
      const uint8_t lsr = m_lsr;
      if ((m_lsr & (LSR_BI | LSR_OE)) != 0) {
        m_lsr &= ~(LSR_BI | LSR_OE);
        update_irq();
      }
      return lsr;
    }
    case MSR: {
      if ((m_mcr & MCR_LOOP) != 0) {
        // Loopback wires the modem outputs to the inputs: OUT2->DCD, OUT1->RI, RTS->CTS,
        // DTR->DSR (datasheet, "Modem Control Register"). Linux's 8250 probe relies on this.
        return static_cast<uint8_t>(((m_mcr & 0x0C) << 4) | ((m_mcr & 0x02) << 3) |
                                    ((m_mcr & 0x01) << 5));
      }
      const uint8_t msr = m_msr;
      if ((m_msr & kMsrDeltaBits) != 0) {
        m_msr &= ~kMsrDeltaBits;
        update_irq();
      }
      return msr;
    }
    default: return m_scr;  // SCR
  }
}

void Ns16550::write_reg(unsigned reg, uint8_t value) {
  const bool dlab = (m_lcr & LCR_DLAB) != 0;
  switch (reg) {
    case THR:
      if (dlab) {
        m_divider = static_cast<uint16_t>((m_divider & 0xFF00) | value);
      } else {
        transmit(value);
      }
      break;
    case IER: {
      if (dlab) {
        m_divider = static_cast<uint16_t>((m_divider & 0x00FF) | (value << 8));
        break;
      }
      const uint8_t changed = (m_ier ^ value) & 0x0F;
      m_ier = value & 0x0F;
      // Enabling THRI while THR is empty raises THRE at once, even if it was acknowledged
      // before (QEMU, after Bochs; Windows relies on it).
      if ((changed & IER_THRI) != 0)
        m_thr_ipending = (m_ier & IER_THRI) != 0 && (m_lsr & LSR_THRE) != 0;
      if (changed != 0) update_irq();
      break;
    }
    case FCR: write_fcr(value); break;
    case LCR: m_lcr = value; break;
    case MCR: m_mcr = value & 0x1F; break;
    case LSR:
    case MSR: TLOG_DEBUG("ns16550: write %#x to read-only register %u ignored", value, reg); break;
    default: m_scr = value; break;  // SCR
  }
}

void Ns16550::write_fcr(uint8_t value) {
  // Toggling FIFO enable flushes both FIFOs (datasheet, "FIFO Control Register").
  if (((value ^ m_fcr) & FCR_FE) != 0) value |= FCR_XFR | FCR_RFR;
  if ((value & FCR_RFR) != 0) {
    m_lsr &= ~(LSR_DR | LSR_BI);
    m_rx_head = m_rx_count = 0;
    m_timeout_pending = false;
  }
  if ((value & FCR_XFR) != 0) {
    m_lsr |= LSR_THRE;
    m_thr_ipending = true;
  }
  m_fcr = value & kFcrStickyBits;
  if ((m_fcr & FCR_FE) != 0) {
    m_iir |= IIR_FIFO_ENABLED;
    static constexpr unsigned kTrigger[4] = {1, 4, 8, 14};
    m_rx_trigger = kTrigger[m_fcr >> 6];
  } else {
    m_iir &= ~IIR_FIFO_ENABLED;
  }
  update_irq();
}

void Ns16550::transmit(uint8_t c) {
  // THR empties at once. The THRE interrupt drops while the byte is "in" THR and rises again
  // after, so an edge-triggered PIC input sees a fresh edge for every byte, as on QEMU.
  m_thr_ipending = false;
  m_lsr &= ~(LSR_THRE | LSR_TEMT);
  update_irq();
  m_lsr |= LSR_THRE;
  m_thr_ipending = true;
  update_irq();
  if ((m_mcr & MCR_LOOP) != 0) {
    push_rx(c);  // loopback: the transmitter feeds the receiver ("Modem Control Register")
  } else {
    m_sink.put(c);
  }
  m_lsr |= LSR_TEMT;
}

bool Ns16550::can_receive() const {
  if ((m_fcr & FCR_FE) != 0) return m_rx_count < kFifoSize;
  return (m_lsr & LSR_DR) == 0;
}

void Ns16550::rx_timeout() {
  if ((m_fcr & FCR_FE) == 0 || m_rx_count == 0 || m_timeout_pending) return;
  m_timeout_pending = true;
  update_irq();
}

void Ns16550::push_rx(uint8_t c) {
  m_timeout_pending = false;
  if ((m_fcr & FCR_FE) != 0) {
    // A full FIFO keeps its contents and flags the overrun.
    if (m_rx_count < kFifoSize) {
      m_rx_fifo[(m_rx_head + m_rx_count) % kFifoSize] = c;
      ++m_rx_count;
    } else {
      m_lsr |= LSR_OE;
    }
  } else {
    if ((m_lsr & LSR_DR) != 0) m_lsr |= LSR_OE;
    m_rbr = c;
  }
  m_lsr |= LSR_DR;
  update_irq();
}

// Interrupt priority, highest first (datasheet, "Interrupt Control Functions"): line status,
// received data (at the FIFO trigger level), THR empty, modem status. The character timeout
// indication needs a clock and comes with the timer model.
void Ns16550::update_irq() {
  uint8_t id = IIR_NO_INT;
  if ((m_ier & IER_RLSI) != 0 && (m_lsr & kLsrErrorBits) != 0) {
    id = IIR_RLSI;
  } else if ((m_ier & IER_RDI) != 0 && m_timeout_pending) {
    id = IIR_CTI;
  } else if ((m_ier & IER_RDI) != 0 && (m_lsr & LSR_DR) != 0 &&
             ((m_fcr & FCR_FE) == 0 || m_rx_count >= m_rx_trigger)) {
    id = IIR_RDI;
  } else if ((m_ier & IER_THRI) != 0 && m_thr_ipending) {
    id = IIR_THRI;
  } else if ((m_ier & IER_MSI) != 0 && (m_msr & kMsrDeltaBits) != 0) {
    id = IIR_MSI;
  }
  m_iir = static_cast<uint8_t>(id | (m_iir & 0xF0));
  m_irq.set(id != IIR_NO_INT);
}

// The datasheet's "Register Addresses" table: offset 0 and 1 depend on LCR.DLAB, 0 and 2 on
// the direction. A wide port access is named for its first register.
bool Ns16550::register_name(uint64_t offset, bool write, RegisterName& out) const {
  const unsigned reg =
      static_cast<unsigned>((m_access == Ns16550Access::kMmio ? offset >> m_shift : offset) & 7);
  const bool dlab = (m_lcr & LCR_DLAB) != 0;
  static constexpr const char* kRead[8] = {"RBR", "IER", "IIR", "LCR", "MCR", "LSR", "MSR", "SCR"};
  switch (reg) {
    case RBR: return out.set(dlab ? "DLL" : write ? "THR" : "RBR");
    case IER: return out.set(dlab ? "DLM" : "IER");
    case IIR: return out.set(write ? "FCR" : "IIR");
    default: return out.set(kRead[reg]);
  }
}

}  // namespace tandem
