"""The one exception type for a broken business rule."""


class ApplicationError(Exception):
    """A rule the user broke. Views show `message`; the API answers 400 with `code` and `message`."""

    def __init__(self, message, code: str = "invalid", field_errors: dict | None = None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.field_errors = field_errors or {}
