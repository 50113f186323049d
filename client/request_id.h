// Idempotency keys (AIP-155) for requests that create things.
#ifndef SPROUT_CLIENT_REQUEST_ID_H_
#define SPROUT_CLIENT_REQUEST_ID_H_

#include <string>

namespace sprout::client {

// NewRequestId()
//
// A fresh random (version 4) UUID in lower-case 8-4-4-4-12 form, e.g.
// "3f2b8c1e-5a4d-4e0f-9b7a-1c2d3e4f5a6b". Thread-safe.
std::string NewRequestId();

}  // namespace sprout::client

#endif  // SPROUT_CLIENT_REQUEST_ID_H_
