// The address of the other end of a connected socket, for log lines about
// connections (never patient data).
#ifndef SPROUT_SERVER_COMMON_PEER_ADDRESS_H_
#define SPROUT_SERVER_COMMON_PEER_ADDRESS_H_

#include <string>

namespace sprout {

// "127.0.0.1:51234" or "[2001:db8::7]:51234"; an IPv4 client of a dual-stack
// listener (::ffff:a.b.c.d) is named as IPv4. "unknown" when the socket is
// no longer connected or not an IP socket. Leaves errno as it was.
std::string PeerAddressOf(int fd);

}  // namespace sprout

#endif  // SPROUT_SERVER_COMMON_PEER_ADDRESS_H_
