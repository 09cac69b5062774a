// SPDX-License-Identifier: Apache-2.0
// The keys of a VM config file (vm_config.h) and the `tandem run` option each one sets: a config
// key becomes that option's words on the command line, so both are checked by the same code.
// A new option gets its key by one line in kConfigKeys (a test checks that every option of
// `tandem run` has a key and every key an option: tests/integration/cli/config_keys_test.py).
#pragma once

namespace tandem::cli {

enum class KeyKind : unsigned char {
  kString,   // a string
  kPath,     // a string naming a file; relative to the config file's folder
  kInteger,  // an integer
  kSize,     // an integer (bytes) or a string with a suffix ("128M")
  kNumber,   // an integer, a float or a string ("0.5")
  kFlag,     // a boolean: true gives the option, false leaves it out
  kStrings,  // an array of strings: the option once per element (repeatable options)
};

struct ConfigKey {
  const char* section;  // "tandem" for Tandem's own keys, else an Axvisor section
  const char* key;
  const char* option;  // the `tandem run` option; "" for the guest image (the positional)
  KeyKind kind;
};

// Tandem's own keys (section [tandem]) name their option; Axvisor's keys with a meaning here map
// onto the same options.
inline constexpr ConfigKey kConfigKeys[] = {
    {"tandem", "guest", "", KeyKind::kPath},
    {"tandem", "name", "--name", KeyKind::kString},
    {"tandem", "backend", "--backend", KeyKind::kString},
    {"tandem", "arch", "--arch", KeyKind::kString},
    {"tandem", "machine", "--machine", KeyKind::kString},
    {"tandem", "mem", "--mem", KeyKind::kSize},
    {"tandem", "cpus", "--cpus", KeyKind::kInteger},
    {"tandem", "trace", "--trace", KeyKind::kString},
    {"tandem", "trace_file", "--trace-file", KeyKind::kPath},
    {"tandem", "timeout", "--timeout", KeyKind::kNumber},
    {"tandem", "verbose", "--verbose", KeyKind::kFlag},
    {"tandem", "append", "--append", KeyKind::kString},
    {"tandem", "kernel", "--kernel", KeyKind::kPath},
    {"tandem", "initrd", "--initrd", KeyKind::kPath},
    {"tandem", "bios", "--bios", KeyKind::kPath},
    {"tandem", "drive", "--drive", KeyKind::kString},
    {"tandem", "rng", "--rng", KeyKind::kFlag},
    {"tandem", "nic", "--nic", KeyKind::kString},
    {"tandem", "dtb", "--dtb", KeyKind::kPath},
    {"tandem", "dump_dtb", "--dump-dtb", KeyKind::kPath},
    {"tandem", "console", "--console", KeyKind::kString},
    {"tandem", "api_socket", "--api-socket", KeyKind::kString},
    {"tandem", "reboot_limit", "--reboot-limit", KeyKind::kInteger},
    {"tandem", "no_reboot", "--no-reboot", KeyKind::kFlag},
    {"tandem", "gdb", "--gdb", KeyKind::kString},
    {"tandem", "wait_gdb", "--wait-gdb", KeyKind::kFlag},
    {"tandem", "icount", "--icount", KeyKind::kFlag},
    {"tandem", "icount_shift", "--icount-shift", KeyKind::kInteger},
    {"tandem", "record", "--record", KeyKind::kPath},
    {"tandem", "replay", "--replay", KeyKind::kPath},
    // Axvisor (axvmconfig's VMBaseConfig / VMKernelConfig).
    {"base", "name", "--name", KeyKind::kString},
    {"base", "cpu_num", "--cpus", KeyKind::kInteger},
    {"kernel", "kernel_path", "", KeyKind::kPath},
    {"kernel", "cmdline", "--append", KeyKind::kString},
    {"kernel", "dtb_path", "--dtb", KeyKind::kPath},
    {"kernel", "ramdisk_path", "--initrd", KeyKind::kPath},
    {"kernel", "bios_path", "--bios", KeyKind::kPath},
};

// Axvisor's keys that Tandem reads but cannot honour, and why: each is reported as a warning
// naming the file, line and key, and otherwise ignored. ([kernel] memory_regions is read by
// vm_config.cpp: its one region's size becomes --mem.)
struct IgnoredKey {
  const char* section;
  const char* key;
  const char* why;
};

inline constexpr IgnoredKey kIgnoredKeys[] = {
    {"base", "id", "Tandem names its VMs ([base] name); the id is not used"},
    {"base", "vm_type", "Tandem has one kind of VM (a full guest with emulated devices)"},
    {"base", "phys_cpu_ids", "vCPUs are host threads here; there are no physical CPU ids to give"},
    {"base", "phys_cpu_sets",
     "vCPUs are host threads here, scheduled by the host; they are not pinned"},
    {"kernel", "entry_point",
     "the guest starts at its image's own entry (ELF e_entry, the boot "
     "protocol of a kernel image)"},
    {"kernel", "kernel_load_addr", "the image loads where its own headers say"},
    {"kernel", "image_location", "Tandem always reads the image from the host's file system"},
    {"kernel", "bios_load_addr", "firmware runs in place from the board's flash at address 0"},
    {"kernel", "dtb_load_addr",
     "the board places the device tree (README: where each arch finds it)"},
    {"kernel", "ramdisk_load_addr", "the boot protocol places the initrd"},
    {"kernel", "disk_path", "give a virtio-blk disk with [tandem] drive = \"file=PATH\""},
    {"devices", "passthrough_devices",
     "every device is emulated; no host device is passed through"},
    {"devices", "passthrough_addresses", "every device is emulated; no host address is mapped"},
    {"devices", "excluded_devices", "the board's devices are fixed (core/board/)"},
    {"devices", "emu_devices", "the board's devices are fixed (core/board/)"},
    {"devices", "interrupt_mode", "the interrupt controller is always emulated"},
};

}  // namespace tandem::cli
