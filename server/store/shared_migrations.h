// Schema migrations whose SQL both backends run unchanged (SQLite and
// PostgreSQL agree on it), kept once so the two cannot drift. Each backend's
// migration list still numbers and orders them (sqlite/migrations.cc,
// postgres/pg_migrations.cc).
#ifndef SPROUT_SERVER_STORE_SHARED_MIGRATIONS_H_
#define SPROUT_SERVER_STORE_SHARED_MIGRATIONS_H_

namespace sprout::store {

// Version 9: idempotency keys belong to the calling organisation (AIP-155).
// A stored key is "{organisation_code}/{request_id}" (IdempotencyKeyOf in
// store.h); a request_id cannot hold '/', so no two organisations' keys meet.
// Keys stored before this version take their referral's organisation.
inline constexpr char kScopeIdempotencyKeysToOrganisation[] = R"sql(
UPDATE idempotency_keys SET request_id =
  (SELECT r.organisation_code FROM referrals r WHERE r.id = idempotency_keys.referral_id)
  || '/' || request_id
WHERE request_id NOT LIKE '%/%';
)sql";

}  // namespace sprout::store

#endif  // SPROUT_SERVER_STORE_SHARED_MIGRATIONS_H_
