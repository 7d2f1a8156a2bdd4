// A workaround for CAF 0.17's caf::openssl sessions, which never clear
// OpenSSL's per-thread error queue.
//
// SSL_get_error() reports SSL_ERROR_SSL whenever the calling thread's error
// queue holds an entry, whatever the call it is asked about did (OpenSSL:
// "the current thread's error queue must be empty before the TLS/SSL I/O
// operation is attempted"). caf::openssl::session calls SSL_read, SSL_write,
// SSL_connect and SSL_accept without clearing it, and on failure does not
// drain it either. So one refused handshake (a peer with an untrusted
// certificate) leaves an entry on the middleman's multiplexer thread, and
// from then on every healthy link on that thread that reads "would block"
// is taken for a fatal error and closed: trusted links die while an
// untrusted peer merely knocks.
//
// The executable defines these four functions, so the dynamic linker binds
// libcaf_openssl's (and everyone's) calls to them; each clears the queue and
// calls OpenSSL's own through dlsym(RTLD_NEXT). Clearing before an I/O call
// is what OpenSSL documents, so other callers (Asio clears it itself) see no
// change.

#include <dlfcn.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include <cstdio>
#include <cstdlib>

namespace switchyard::cluster {

namespace {

template <class Fn>
Fn openssl_next(const char* name) {
  auto fn = reinterpret_cast<Fn>(dlsym(RTLD_NEXT, name));
  if (fn == nullptr) {
    std::fprintf(stderr, "switchyard: cannot find OpenSSL's %s\n", name);
    std::abort();
  }
  return fn;
}

} // namespace

/// Referenced by cluster_node so that the linker keeps this file (and with
/// it the definitions below) in the executable.
bool openssl_error_queue_guard_linked() noexcept {
  return true;
}

} // namespace switchyard::cluster

extern "C" {

int SSL_read(SSL* ssl, void* buf, int num) {
  using fn = int (*)(SSL*, void*, int);
  static const auto next = switchyard::cluster::openssl_next<fn>("SSL_read");
  ERR_clear_error();
  return next(ssl, buf, num);
}

int SSL_write(SSL* ssl, const void* buf, int num) {
  using fn = int (*)(SSL*, const void*, int);
  static const auto next = switchyard::cluster::openssl_next<fn>("SSL_write");
  ERR_clear_error();
  return next(ssl, buf, num);
}

int SSL_connect(SSL* ssl) {
  using fn = int (*)(SSL*);
  static const auto next = switchyard::cluster::openssl_next<fn>("SSL_connect");
  ERR_clear_error();
  return next(ssl);
}

int SSL_accept(SSL* ssl) {
  using fn = int (*)(SSL*);
  static const auto next = switchyard::cluster::openssl_next<fn>("SSL_accept");
  ERR_clear_error();
  return next(ssl);
}

} // extern "C"
