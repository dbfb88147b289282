// Socket options shared by the HTTP servers (fl, serve, dashboard).
#pragma once

namespace tinymlops {

// Sets SO_REUSEADDR (a restarted server can bind at once) and nothing else.
// cpp-httplib's default also sets SO_REUSEPORT, which lets a second server bind
// a busy port and silently share its traffic; pass this to set_socket_options.
void reuse_address_only(int socket);

}  // namespace tinymlops
