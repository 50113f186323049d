// File: base/status_macros.h
//
// The two propagation macros Abseil 20220623 lacks (STYLE.md E4). Use them where
// a chain of fallible steps would otherwise repeat `if (!s.ok()) return s;`.
//
//   SPROUT_RETURN_IF_ERROR(store->Open());
//   SPROUT_ASSIGN_OR_RETURN(std::shared_ptr<const Terminology> t, Terminology::Load(opts));
#ifndef SPROUT_BASE_STATUS_MACROS_H_
#define SPROUT_BASE_STATUS_MACROS_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define SPROUT_RETURN_IF_ERROR(expr)                 \
  do {                                               \
    ::absl::Status sprout_status_ = (expr);          \
    if (!sprout_status_.ok()) return sprout_status_; \
  } while (0)

#define SPROUT_STATUS_CONCAT_INNER_(a, b) a##b
#define SPROUT_STATUS_CONCAT_(a, b) SPROUT_STATUS_CONCAT_INNER_(a, b)

#define SPROUT_ASSIGN_OR_RETURN(lhs, expr) \
  SPROUT_ASSIGN_OR_RETURN_IMPL_(SPROUT_STATUS_CONCAT_(sprout_statusor_, __LINE__), lhs, expr)

#define SPROUT_ASSIGN_OR_RETURN_IMPL_(statusor, lhs, expr) \
  auto statusor = (expr);                                  \
  if (!statusor.ok()) return std::move(statusor).status(); \
  lhs = std::move(statusor).value()

#endif  // SPROUT_BASE_STATUS_MACROS_H_
