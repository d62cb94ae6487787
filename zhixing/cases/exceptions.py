from __future__ import annotations

from dataclasses import dataclass


class DomainError(Exception):
    """A rule refused the operation. `code` is stable for programs; `message` is for the clerk."""

    code = "domain_error"
    http_status = 400

    def __init__(self, message: str, *, code: str | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code


class NotAllowed(DomainError):
    code = "not_allowed"
    http_status = 403


class NotFound(DomainError):
    code = "not_found"
    http_status = 404


class Conflict(DomainError):
    code = "conflict"
    http_status = 409


class Locked(DomainError):
    """程序锁死: the case refuses everything but the remedy until an unlock is approved (HTTP 423)."""

    code = "locked"
    http_status = 423


@dataclass(frozen=True)
class FieldError:
    field: str  # a path such as parties[1].id_number
    message: str
    row: int | None = None  # the file row, for imports

    def as_dict(self) -> dict:
        data = {"field": self.field, "message": self.message}
        if self.row is not None:
            data["row"] = self.row
        return data

    def __str__(self) -> str:
        where = f"第{self.row}行 " if self.row is not None else ""
        return f"{where}{self.field}：{self.message}"


class ValidationFailed(DomainError):
    code = "invalid"
    http_status = 422

    def __init__(self, errors: list[FieldError], message: str | None = None):
        self.errors = errors
        super().__init__(message or "；".join(str(e) for e in errors[:5]) + ("……" if len(errors) > 5 else ""))
