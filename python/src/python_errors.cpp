#include "python_errors.hpp"

namespace py = pybind11;

namespace switchyard::python {

py::object make_error(error_code code, const std::string& message,
                      std::uint64_t decision_id) {
  // Looked up on each error rather than cached in a static: a static
  // py::object would be released after the interpreter is gone.
  auto cls = py::module_::import("switchyard._errors").attr("SwitchyardError");
  return cls(message, py::arg("code") = std::string{to_string(code)},
             py::arg("decision_id") = decision_id);
}

void raise_error(error_code code, const std::string& message,
                 std::uint64_t decision_id) {
  auto e = make_error(code, message, decision_id);
  PyErr_SetObject(reinterpret_cast<PyObject*>(Py_TYPE(e.ptr())), e.ptr());
  throw py::error_already_set();
}

} // namespace switchyard::python
