// SPDX-License-Identifier: Apache-2.0
// Result<T>: a value or a Status, shaped like std::expected (C++23), usable freestanding.
#pragma once

#include <new>
#include <type_traits>
#include <utility>

#include "core/base/status.h"

namespace tandem {

// Error(Status::kX) converts into any Result<T>.
struct Error {
  Status status;
  constexpr explicit Error(Status s) : status(s) {}
};

template <class T>
class [[nodiscard]] Result {
 public:
  Result(const T& v) : m_status(Status::kOk) { new (&m_value) T(v); }  // NOLINT: implicit by design
  Result(T&& v) : m_status(Status::kOk) { new (&m_value) T(std::move(v)); }  // NOLINT
  Result(Error e) : m_status(e.status) {}                                    // NOLINT
  Result(Result&& o) noexcept : m_status(o.m_status) {
    if (ok()) new (&m_value) T(std::move(o.m_value));
  }
  Result(const Result& o) requires std::is_copy_constructible_v<T> : m_status(o.m_status) {
    if (ok()) new (&m_value) T(o.m_value);
  }
  Result& operator=(Result&& o) noexcept {
    if (this != &o) {
      reset();
      m_status = o.m_status;
      if (ok()) new (&m_value) T(std::move(o.m_value));
    }
    return *this;
  }
  Result& operator=(const Result&) = delete;
  ~Result() { reset(); }

  bool ok() const { return m_status == Status::kOk; }
  explicit operator bool() const { return ok(); }
  Status error() const { return m_status; }

  T& value() & { return m_value; }
  const T& value() const& { return m_value; }
  T&& value() && { return std::move(m_value); }
  T* operator->() { return &m_value; }
  const T* operator->() const { return &m_value; }
  T& operator*() & { return m_value; }
  const T& operator*() const& { return m_value; }
  T value_or(T fallback) const { return ok() ? m_value : fallback; }

 private:
  void reset() {
    if (ok()) m_value.~T();
    m_status = Status::kInvalidArgument;
  }

  Status m_status;
  union {
    T m_value;
  };
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error e) : m_status(e.status) {}  // NOLINT
  bool ok() const { return m_status == Status::kOk; }
  explicit operator bool() const { return ok(); }
  Status error() const { return m_status; }
  void value() const {}

 private:
  Status m_status = Status::kOk;
};

inline Result<void> ok() { return {}; }

}  // namespace tandem

// TRY(expr): evaluates a Result; on error returns it from the enclosing function, otherwise
// yields the value. Uses a GNU statement expression (GCC and Clang).
#define TRY(expr)                                         \
  ({                                                      \
    auto&& tandem_try_result_ = (expr);                   \
    if (!tandem_try_result_) [[unlikely]]                 \
      return ::tandem::Error(tandem_try_result_.error()); \
    std::move(tandem_try_result_).value();                \
  })
