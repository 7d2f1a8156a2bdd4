"""switchyard's exception, raised by the native module as well."""


class SwitchyardError(Exception):
    """A task, a decision or the runtime failed.

    ``code`` is the project's error code (``no_candidate``,
    ``budget_exhausted``, ``invalid_config``, ``not_found``, ...);
    ``decision_id`` the decision it belongs to, 0 when none.
    """

    def __init__(self, message: str, code: str = "internal", decision_id: int = 0):
        super().__init__(message)
        self.code = code
        self.decision_id = decision_id
