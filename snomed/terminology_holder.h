// File: snomed/terminology_holder.h
//
// TerminologyHolder: the current Terminology, swappable at run time (hot
// reload). Readers call Get() and use the returned pointer for as long as they
// like; a concurrent Set() never changes what they see. Thread-safe. (One
// SnapshotHolder, as the server holds its other reloadable parts.)
//
//   TerminologyHolder holder(std::move(initial));
//   std::shared_ptr<const Terminology> t = holder.Get();   // per request
//   ...
//   holder.Set(std::move(reloaded));                       // on reload
#ifndef SPROUT_SNOMED_TERMINOLOGY_HOLDER_H_
#define SPROUT_SNOMED_TERMINOLOGY_HOLDER_H_

#include "base/snapshot_holder.h"
#include "snomed/terminology.h"

namespace sprout::snomed {

using TerminologyHolder = SnapshotHolder<Terminology>;

}  // namespace sprout::snomed

#endif  // SPROUT_SNOMED_TERMINOLOGY_HOLDER_H_
