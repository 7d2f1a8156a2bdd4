// TLS with certificates made here, in process, with OpenSSL's C API: a test
// CA and server certificates for chosen host names.
#include "test_support.hpp"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

using namespace switchyard;
using namespace switchyard::http;
using namespace switchyard::testing;

namespace {

struct key_deleter {
  void operator()(EVP_PKEY* k) const noexcept {
    EVP_PKEY_free(k);
  }
};

struct cert_deleter {
  void operator()(X509* c) const noexcept {
    X509_free(c);
  }
};

using key_ptr = std::unique_ptr<EVP_PKEY, key_deleter>;
using cert_ptr = std::unique_ptr<X509, cert_deleter>;

key_ptr make_key() {
  key_ptr key{EVP_EC_gen("P-256")};
  REQUIRE(key);
  return key;
}

void add_extension(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  REQUIRE(ext != nullptr);
  REQUIRE(X509_add_ext(cert, ext, -1) == 1);
  X509_EXTENSION_free(ext);
}

/// A certificate for `subject_key`, signed by `issuer_key` (self-signed
/// when `issuer` is null).
cert_ptr make_cert(EVP_PKEY* subject_key, const char* common_name, X509* issuer,
                   EVP_PKEY* issuer_key, bool is_ca, const char* san,
                   long serial) {
  cert_ptr cert{X509_new()};
  REQUIRE(cert);
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), serial);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 24 * 3600);
  X509_set_pubkey(cert.get(), subject_key);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(
    name, "CN", MBSTRING_ASC,
    reinterpret_cast<const unsigned char*>(common_name), -1, -1, 0);
  X509* signer = issuer ? issuer : cert.get();
  X509_set_issuer_name(cert.get(), X509_get_subject_name(signer));
  if (is_ca) {
    add_extension(cert.get(), signer, NID_basic_constraints,
                  "critical,CA:TRUE");
    add_extension(cert.get(), signer, NID_key_usage,
                  "critical,keyCertSign,cRLSign");
  } else {
    add_extension(cert.get(), signer, NID_basic_constraints, "CA:FALSE");
    add_extension(cert.get(), signer, NID_ext_key_usage, "serverAuth");
    add_extension(cert.get(), signer, NID_subject_alt_name, san);
  }
  add_extension(cert.get(), signer, NID_subject_key_identifier, "hash");
  REQUIRE(X509_sign(cert.get(), issuer_key, EVP_sha256()) > 0);
  return cert;
}

std::string to_pem(X509* cert) {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_X509(bio, cert);
  char* data = nullptr;
  auto n = BIO_get_mem_data(bio, &data);
  std::string pem(data, static_cast<std::size_t>(n));
  BIO_free(bio);
  return pem;
}

std::string to_pem(EVP_PKEY* key) {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  auto n = BIO_get_mem_data(bio, &data);
  std::string pem(data, static_cast<std::size_t>(n));
  BIO_free(bio);
  return pem;
}

struct test_pki {
  key_ptr ca_key = make_key();
  cert_ptr ca = make_cert(ca_key.get(), "switchyard test CA", nullptr,
                          ca_key.get(), true, nullptr, 1);

  /// A server certificate and key (PEM) for `san`, signed by the CA.
  tls_server_config server_for(const char* san, long serial) {
    auto key = make_key();
    auto cert = make_cert(key.get(), "switchyard test server", ca.get(),
                          ca_key.get(), false, san, serial);
    return {to_pem(cert.get()), to_pem(key.get())};
  }
};

std::unique_ptr<http_server> tls_server(tls_server_config tls) {
  server_config sc;
  sc.tls = std::move(tls);
  return serve(
    [](const server_request& req, std::shared_ptr<response_writer> w) {
      w->respond(200, {{"Content-Type", "text/plain"}},
                 "secure " + std::string{req.target});
    },
    sc);
}

} // namespace

TEST_CASE("tls: the peer is verified against the CA and the host name",
          "[tls]") {
  test_pki pki;
  auto good = tls_server(pki.server_for("DNS:localhost", 2));
  auto wrong_name = tls_server(pki.server_for("DNS:wrong.example", 3));
  client_config trusting;
  trusting.tls.ca_pem = to_pem(pki.ca.get());
  trusting.tls.use_system_store = false;

  SECTION("trusted CA and the right host name pass") {
    auto c = make_client(trusting);
    auto r = fetch(*c, origin{true, "localhost", good->port()},
                   {"GET", "/hello", {}, {}});
    INFO(r.error_detail);
    REQUIRE(r.ok());
    CHECK(r.status == 200);
    CHECK(r.body == "secure /hello");
    SECTION("and the connection is kept for the next request") {
      auto again = fetch(*c, origin{true, "localhost", good->port()},
                         {"GET", "/again", {}, {}});
      REQUIRE(again.ok());
      CHECK(again.reused_connection);
    }
  }

  SECTION("a certificate for another host name fails") {
    auto c = make_client(trusting);
    auto r = fetch(*c, origin{true, "localhost", wrong_name->port()},
                   {"GET", "/", {}, {}});
    CHECK(r.error == transfer_error::tls);
    CHECK(r.status == 0);
    CHECK(r.error_detail.find("hostname mismatch") != std::string::npos);
  }

  SECTION("an IP literal is checked against IP names, not DNS ones") {
    auto c = make_client(trusting);
    auto r = fetch(*c, origin{true, "127.0.0.1", good->port()},
                   {"GET", "/", {}, {}});
    CHECK(r.error == transfer_error::tls);
    CHECK(r.error_detail.find("IP address mismatch") != std::string::npos);
  }

  SECTION("a CA the client does not trust fails") {
    client_config system_only; // the system store, not the test CA
    auto c = make_client(system_only);
    auto r = fetch(*c, origin{true, "localhost", good->port()},
                   {"GET", "/", {}, {}});
    CHECK(r.error == transfer_error::tls);
    CHECK(r.error_detail.find("certificate verify failed")
          != std::string::npos);
  }

  SECTION("another CA's certificate fails even with a CA configured") {
    test_pki other;
    client_config trusting_other;
    trusting_other.tls.ca_pem = to_pem(other.ca.get());
    trusting_other.tls.use_system_store = false;
    auto c = make_client(trusting_other);
    auto r = fetch(*c, origin{true, "localhost", good->port()},
                   {"GET", "/", {}, {}});
    CHECK(r.error == transfer_error::tls);
  }
}

TEST_CASE("tls: a CA that is not PEM is refused up front", "[tls]") {
  client_config cfg;
  cfg.tls.ca_pem = "not a certificate";
  std::string why;
  auto c = http_client::make(cfg, why);
  CHECK_FALSE(c);
  CHECK(why.find("CA") != std::string::npos);
}
