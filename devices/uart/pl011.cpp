// SPDX-License-Identifier: Apache-2.0
#include "devices/uart/pl011.h"

#include "core/base/log.h"

namespace tandem {
namespace {

// Reset values (DDI 0183G table 3-1; QEMU pl011_reset): FR has TXFE and RXFE set, CR has TXE
// and RXE set, IFLS selects the half-full trigger levels.
constexpr uint32_t kFrReset = Pl011::FR_TXFE | Pl011::FR_RXFE;
constexpr uint32_t kCrReset = 0x300;
constexpr uint32_t kIflsReset = 0x12;

constexpr uint64_t kIdFirstWord = Pl011::UARTPeriphID0 >> 2;

uint64_t low_bytes(uint64_t value, unsigned size) {
  return size >= 8 ? value : value & ((uint64_t{1} << (size * 8)) - 1);
}

}  // namespace

Pl011::Pl011(CharSink& sink, IrqLine irq) : m_sink(sink), m_irq(irq) { reset(); }

void Pl011::reset() {
  m_rx_fifo = {};
  m_rsr = m_ilpr = m_ibrd = m_fbrd = m_lcr_h = m_imsc = m_ris = m_dmacr = 0;
  m_cr = kCrReset;
  m_ifls = kIflsReset;
  m_flags = kFrReset;
  reset_fifos();
  update_irq();
}

// QEMU implements only 32-bit accesses to this device (impl.min/max_access_size = 4). Its memory
// core turns a narrower access into one 32-bit access at the same offset and keeps the low
// bytes, so an 8-bit read of 0x31 returns CR[7:0], not CR[15:8]; a 64-bit access becomes two
// 32-bit ones at offset and offset + 4. Checked against qemu-system-aarch64 7.2 -M virt.
uint64_t Pl011::read(uint64_t offset, unsigned size) {
  switch (size) {
    case 1:
    case 2:
    case 4: return low_bytes(read_reg(offset), size);
    case 8: return read_reg(offset) | (uint64_t{read_reg(offset + 4)} << 32);
    default:
      TLOG_DEBUG("pl011: %u-byte read at %#llx", size, static_cast<unsigned long long>(offset));
      return 0;
  }
}

void Pl011::write(uint64_t offset, unsigned size, uint64_t value) {
  switch (size) {
    case 1:
    case 2:
    case 4: write_reg(offset, static_cast<uint32_t>(low_bytes(value, size))); break;
    case 8:
      write_reg(offset, static_cast<uint32_t>(value));
      write_reg(offset + 4, static_cast<uint32_t>(value >> 32));
      break;
    default:
      TLOG_DEBUG("pl011: %u-byte write at %#llx", size, static_cast<unsigned long long>(offset));
      break;
  }
}

uint32_t Pl011::read_reg(uint64_t offset) {
  const uint64_t word = offset >> 2;  // the register is chosen by offset[11:2]
  if (offset < kSize && word >= kIdFirstWord) return kId[word - kIdFirstWord];
  switch (word) {
    case UARTDR >> 2: {
      // An empty FIFO returns the stale entry at the read position, as QEMU does.
      const uint32_t c = m_rx_fifo[m_rx_pos];
      m_flags &= ~FR_RXFF;
      if (m_rx_count > 0) {
        --m_rx_count;
        m_rx_pos = (m_rx_pos + 1) & (fifo_depth() - 1);
      }
      if (m_rx_count == 0) {
        m_flags |= FR_RXFE;
        // QEMU's receive trigger level is one character (it ignores IFLS), so the receive
        // interrupt clears when the FIFO drains.
        m_ris &= ~INT_RX;
      }
      m_rsr = c >> 8;  // the error bits of the character just read (3.3.2)
      update_irq();
      return c;
    }
    case UARTRSR >> 2: return m_rsr;
    case UARTFR >> 2: return m_flags;
    case UARTILPR >> 2: return m_ilpr;
    case UARTIBRD >> 2: return m_ibrd;
    case UARTFBRD >> 2: return m_fbrd;
    case UARTLCR_H >> 2: return m_lcr_h;
    case UARTCR >> 2: return m_cr;
    case UARTIFLS >> 2: return m_ifls;
    case UARTIMSC >> 2: return m_imsc;
    case UARTRIS >> 2: return m_ris;
    case UARTMIS >> 2: return m_ris & m_imsc;
    case UARTDMACR >> 2: return m_dmacr;
    default:
      // Reserved offsets and the write-only ICR read as zero.
      TLOG_DEBUG("pl011: read of unimplemented offset %#llx",
                 static_cast<unsigned long long>(offset));
      return 0;
  }
}

void Pl011::write_reg(uint64_t offset, uint32_t value) {
  switch (offset >> 2) {
    case UARTDR >> 2:
      m_sink.put(static_cast<uint8_t>(value));
      // The character leaves at once, so the transmit interrupt is asserted at once.
      m_ris |= INT_TX;
      update_irq();
      break;
    case UARTRSR >> 2: m_rsr = 0; break;  // UARTECR: any write clears the error flags
    case UARTILPR >> 2: m_ilpr = value; break;
    // QEMU 7.2 stores the full 32-bit value in these (no masking to the documented widths);
    // a guest reads back what it wrote.
    case UARTIBRD >> 2: m_ibrd = value; break;
    case UARTFBRD >> 2: m_fbrd = value; break;
    case UARTLCR_H >> 2:
      // Changing FEN switches between the FIFO and the one-character holding register; both
      // start empty.
      if (((m_lcr_h ^ value) & LCR_H_FEN) != 0) reset_fifos();
      m_lcr_h = value;
      break;
    case UARTCR >> 2: m_cr = value; break;
    case UARTIFLS >> 2: m_ifls = value; break;
    case UARTIMSC >> 2:
      m_imsc = value;
      update_irq();
      break;
    case UARTICR >> 2:
      m_ris &= ~value;
      update_irq();
      break;
    case UARTDMACR >> 2: m_dmacr = value; break;
    default:
      // FR, RIS, MIS, the ID registers and reserved offsets ignore writes.
      TLOG_DEBUG("pl011: write %#x to read-only/unimplemented offset %#llx", value,
                 static_cast<unsigned long long>(offset));
      break;
  }
}

unsigned Pl011::fifo_depth() const { return (m_lcr_h & LCR_H_FEN) != 0 ? kFifoDepth : 1; }

void Pl011::reset_fifos() {
  m_rx_pos = 0;
  m_rx_count = 0;
  m_flags = (m_flags & ~(FR_RXFF | FR_TXFF)) | FR_RXFE | FR_TXFE;
}

bool Pl011::can_receive() const { return m_rx_count < fifo_depth(); }

void Pl011::push_rx(uint8_t c) {
  const unsigned depth = fifo_depth();
  if (m_rx_count >= depth) {
    TLOG_DEBUG("pl011: receive FIFO full, byte dropped");
    return;
  }
  m_rx_fifo[(m_rx_pos + m_rx_count) & (depth - 1)] = c;
  ++m_rx_count;
  m_flags &= ~FR_RXFE;
  if (m_rx_count == depth) m_flags |= FR_RXFF;
  // Raised when the FIFO reaches the (one-character) trigger level, like QEMU: a guest that
  // cleared RXIS through ICR with characters still queued is not interrupted again.
  if (m_rx_count == 1) {
    m_ris |= INT_RX;
    update_irq();
  }
}

void Pl011::update_irq() { m_irq.set((m_ris & m_imsc) != 0); }

// DDI 0183G table 3-1; a 4-byte register named for any of its bytes.
bool Pl011::register_name(uint64_t offset, bool write, RegisterName& out) const {
  static constexpr RegisterEntry kRegs[] = {
      {UARTDR, 4, "UARTDR"},       {UARTRSR, 4, "UARTRSR", "UARTECR"},
      {UARTFR, 4, "UARTFR"},       {UARTILPR, 4, "UARTILPR"},
      {UARTIBRD, 4, "UARTIBRD"},   {UARTFBRD, 4, "UARTFBRD"},
      {UARTLCR_H, 4, "UARTLCR_H"}, {UARTCR, 4, "UARTCR"},
      {UARTIFLS, 4, "UARTIFLS"},   {UARTIMSC, 4, "UARTIMSC"},
      {UARTRIS, 4, "UARTRIS"},     {UARTMIS, 4, "UARTMIS"},
      {UARTICR, 4, "UARTICR"},     {UARTDMACR, 4, "UARTDMACR"}};
  if (name_from_table(kRegs, offset, write, out)) return true;
  if (offset >= UARTPeriphID0 && offset < UARTPeriphID0 + 16)
    return out.set_indexed("UARTPeriphID", (offset - UARTPeriphID0) / 4);
  if (offset >= UARTPeriphID0 + 16 && offset < UARTPeriphID0 + 32)
    return out.set_indexed("UARTPCellID", (offset - UARTPeriphID0 - 16) / 4);
  return false;
}

}  // namespace tandem
