#pragma once

/// Forward declarations of storage/'s types.
namespace switchyard::storage {

class byte_reader;
class byte_writer;
class field_reader;
class field_writer;
class store;
class store_batch;

struct api_key_record;
struct new_api_key;
struct store_options;

} // namespace switchyard::storage
