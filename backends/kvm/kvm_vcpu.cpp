// SPDX-License-Identifier: Apache-2.0
#include "backends/kvm/kvm_vcpu.h"

#include <pthread.h>
#include <signal.h>
#include <sys/ioctl.h>

#include <atomic>
#include <cerrno>
#include <mutex>

#include "backends/kvm/kvm_debug.h"
#include "backends/kvm/kvm_system.h"
#include "backends/kvm/kvm_x86_state.h"
#include "core/arch/x86_64/page_walk.h"
#include "core/vm/vm_exits.h"

namespace tandem {

using kvm::ExitAction;
using kvm::ReasonBuffer;
using kvm::SharedMapping;
using kvm::UniqueFd;

// What request_stop() shares with run(), under `lock`: the thread inside run() (the one to
// kick) and the pending request. Invariant: `stop_requested` == kvm_run.immediate_exit.
struct KvmVcpu::Control {
  std::mutex lock;
  pthread_t thread{};
  bool running = false;
  bool stop_requested = false;
  ReasonBuffer reason;
};

namespace {

// The signal that kicks a vCPU thread out of KVM_RUN. Its handler does nothing: delivery alone
// makes KVM_RUN return -EINTR. Real-time signals are otherwise unused by the program.
int kick_signal() { return SIGRTMIN; }

// Without the handler, the kick would kill the process (the default action), so a vCPU is only
// created once it is in place.
bool install_kick_handler() {
  static const bool installed = [] {
    struct sigaction sa {};
    sa.sa_handler = [](int) {};
    sigemptyset(&sa.sa_mask);
    return sigaction(kick_signal(), &sa, nullptr) == 0;
  }();
  return installed;
}

// The kick must reach the thread: a program may block signals in its threads (the CLI's
// SIGINT/SIGTERM handling), and a thread inherits its creator's mask. Once per thread.
void unblock_kick_signal() {
  thread_local bool done = false;
  if (done) return;
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, kick_signal());
  pthread_sigmask(SIG_UNBLOCK, &set, nullptr);
  done = true;
}

void set_immediate_exit(kvm_run& run, bool on) {
  std::atomic_ref<uint8_t>(run.immediate_exit).store(on ? 1 : 0, std::memory_order_relaxed);
}

}  // namespace

KvmVcpu::KvmVcpu(UniqueFd fd, SharedMapping run, std::unique_ptr<Control> control, VmExits& exits,
                 unsigned id)
    : m_fd(std::move(fd)),
      m_run(std::move(run)),
      m_control(std::move(control)),
      m_exits(&exits),
      m_id(id) {}

KvmVcpu::KvmVcpu(KvmVcpu&&) noexcept = default;
KvmVcpu& KvmVcpu::operator=(KvmVcpu&&) noexcept = default;
KvmVcpu::~KvmVcpu() = default;

Result<KvmVcpu> KvmVcpu::create(const kvm::KvmSystem& system, int vm_fd, unsigned id,
                                VmExits& exits) {
  if (!install_kick_handler()) return kvm::ioctl_error("sigaction for the vCPU kick signal");
  UniqueFd fd(::ioctl(vm_fd, KVM_CREATE_VCPU, static_cast<unsigned long>(id)));
  if (fd.get() < 0) return kvm::ioctl_error("KVM_CREATE_VCPU");
  // The kvm_run structure is the first page of the vCPU fd's mapping (api.rst, "The kvm_run
  // structure"); the PIO data pages follow it.
  void* p =
      ::mmap(nullptr, system.vcpu_mmap_size(), PROT_READ | PROT_WRITE, MAP_SHARED, fd.get(), 0);
  if (p == MAP_FAILED) return kvm::ioctl_error("mmap of kvm_run");
  SharedMapping run(p, system.vcpu_mmap_size());
  TRY(kvm::set_x86_cpuid(fd.get(), system.supported_cpuid(), id));
  // The guest PC in every exit, for messages and traces, without a KVM_GET_REGS per exit.
  run.as<kvm_run>()->kvm_valid_regs = KVM_SYNC_X86_REGS;
  return KvmVcpu(std::move(fd), std::move(run), std::make_unique<Control>(), exits, id);
}

Result<void> KvmVcpu::set_boot_state(const BootState& boot) {
  return kvm::set_x86_boot_state(m_fd.get(), boot);
}

void KvmVcpu::request_stop() {
  std::lock_guard guard(m_control->lock);
  m_control->stop_requested = true;
  set_immediate_exit(run_page(), true);
  if (m_control->running) pthread_kill(m_control->thread, kick_signal());
}

Result<uint64_t> KvmVcpu::read_gpr(unsigned n) const {
  kvm_regs r{};
  if (::ioctl(m_fd.get(), KVM_GET_REGS, &r) < 0) return kvm::ioctl_error("KVM_GET_REGS");
  const uint64_t gprs[] = {r.rax, r.rcx, r.rdx, r.rbx, r.rsp, r.rbp, r.rsi, r.rdi,
                           r.r8,  r.r9,  r.r10, r.r11, r.r12, r.r13, r.r14, r.r15};
  if (n >= std::size(gprs)) return Error(Status::kInvalidArgument);
  return gprs[n];
}

std::optional<uint64_t> KvmVcpu::translate(uint64_t va, const TableReader& read) const {
  kvm_sregs sr{};
  if (::ioctl(m_fd.get(), KVM_GET_SREGS, &sr) < 0) return std::nullopt;
  return x86_64::translate({sr.cr0, sr.cr3, sr.cr4}, va, read);
}

void KvmVcpu::attach_debugger(kvm::KvmDebugger& debugger) {
  m_debugger = &debugger;
  debugger.add(*this);
}

Result<VcpuExit> KvmVcpu::run() {
  kvm_run& run = run_page();
  VcpuExit exit;
  if (m_exits->stopped()) {
    return m_exits->stop_info().as_exit(run.s.regs.regs.rip);
  }
  Control& c = *m_control;
  unblock_kick_signal();
  if (m_debugger != nullptr)
    if (auto stop = m_debugger->enter(m_id)) return *stop;
  {
    std::lock_guard guard(c.lock);
    c.thread = pthread_self();
    c.running = true;
  }
  // After this, request_stop() no longer signals the thread, which may leave or exit.
  struct Leave {
    Control& c;
    kvm::KvmDebugger* debugger;
    unsigned id;
    ~Leave() {
      {
        std::lock_guard guard(c.lock);
        c.running = false;
      }
      if (debugger != nullptr) debugger->leave(id);
    }
  } leave{c, m_debugger, m_id};

  for (;;) {
    if (::ioctl(m_fd.get(), KVM_RUN, 0) < 0) {
      // EINTR: a signal (the kick, or one for another purpose); EAGAIN: a secondary vCPU left
      // its wait for INIT/SIPI and must simply run again (api.rst, KVM_RUN).
      if (errno != EINTR && errno != EAGAIN) return kvm::ioctl_error("KVM_RUN");
      std::lock_guard guard(c.lock);
      if (!c.stop_requested) continue;  // a signal meant for something else
      c.stop_requested = false;
      set_immediate_exit(run, false);
      exit.kind = ExitKind::kTimeout;
      exit.pc = run.s.regs.regs.rip;
      return exit;
    }
    if (run.exit_reason == KVM_EXIT_DEBUG && m_debugger != nullptr) {
      if (auto stop = m_debugger->on_debug_exit(m_id, run.debug.arch)) return *stop;
      continue;
    }
    if (kvm::decode_exit(m_id, run, m_run.size(), *m_exits, exit, c.reason) == ExitAction::kReturn)
      return exit;
  }
}

}  // namespace tandem
