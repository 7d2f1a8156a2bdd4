#pragma once

/// Forward declarations of the HTTP component's types.
namespace switchyard::http {

class http_client;
class http_server;
class io_loop;
class ndjson_parser;
class request_handle;
class response_writer;
class sse_parser;

struct client_config;
struct client_request;
struct client_response;
struct header;
struct origin;
struct request_options;
struct response_head;
struct server_config;
struct server_request;
struct sse_event;
struct url;

} // namespace switchyard::http
