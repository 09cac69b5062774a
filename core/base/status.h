// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>

namespace tandem {

enum class Status : uint8_t {
  kOk = 0,
  kInvalidArgument,  // caller passed something malformed
  kUnaligned,        // address or size not aligned as required
  kOutOfRange,       // address outside what the object covers
  kOverlap,          // a new range overlaps an existing one
  kNoMemory,         // the paging handler / allocator ran out
  kNotFound,         // nothing registered / mapped there
  kNotMapped,        // no translation for an address
  kAlreadyMapped,    // a translation exists where a new one was asked for
  kPermission,       // access not allowed by the mapping or region kind
  kCapacity,         // a fixed-size table is full
  kBadImage,         // a guest image could not be parsed
  kUnsupported,      // feature or architecture not available
  kBackend,          // the execution backend reported an error
  kGuestFault,       // the guest did something the VM cannot continue from
};

constexpr const char* to_string(Status s) {
  switch (s) {
    case Status::kOk: return "ok";
    case Status::kInvalidArgument: return "invalid argument";
    case Status::kUnaligned: return "unaligned";
    case Status::kOutOfRange: return "out of range";
    case Status::kOverlap: return "overlaps an existing range";
    case Status::kNoMemory: return "out of memory";
    case Status::kNotFound: return "not found";
    case Status::kNotMapped: return "not mapped";
    case Status::kAlreadyMapped: return "already mapped";
    case Status::kPermission: return "permission denied";
    case Status::kCapacity: return "table full";
    case Status::kBadImage: return "bad image";
    case Status::kUnsupported: return "unsupported";
    case Status::kBackend: return "backend error";
    case Status::kGuestFault: return "guest fault";
  }
  return "unknown status";
}

}  // namespace tandem
