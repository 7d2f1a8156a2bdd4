#pragma once

#include <optional>

namespace switchyard {

/// Lets CAF 0.17's inspectors (which know no std::optional) read and write
/// an optional as a presence flag plus a value. Use as
/// `f(x.a, optional_field{x.b})` inside an inspect() overload.
template <class T>
struct optional_field {
  std::optional<T>& ref;
};

template <class T>
optional_field(std::optional<T>&) -> optional_field<T>;

template <class Inspector, class T>
typename Inspector::result_type inspect(Inspector& f, optional_field<T>& x) {
  if constexpr (Inspector::reads_state) {
    bool present = x.ref.has_value();
    T value = present ? *x.ref : T{};
    return f(present, value);
  } else {
    bool present = false;
    T value{};
    auto result = f(present, value);
    if (present)
      x.ref = std::move(value);
    else
      x.ref.reset();
    return result;
  }
}

} // namespace switchyard
