"""etvision.EtvisionError: every failure etvision reports."""

from __future__ import annotations


class EtvisionError(Exception):
    """A failure with react-native-executorch's numeric code.

    ``code`` is an :class:`etvision.ErrorCode` (an ``int``: 102 ModuleNotLoaded,
    114 FileReadFailed, 117 InvalidUserInput, ...), ``code_name`` its name, and
    the message says what went wrong and what to change. Wrong Python types
    raise ``TypeError`` instead.
    """

    def __init__(self, message: str, code: int = 101, code_name: str = "UnknownError") -> None:
        super().__init__(message)
        self.code = code
        self.code_name = code_name

    def __reduce__(self):  # keeps the code across pickling (Ray workers, multiprocessing)
        return (type(self), (str(self), int(self.code), self.code_name))

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""
