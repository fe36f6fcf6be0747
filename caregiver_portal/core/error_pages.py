"""Every error answer in one place: JSON ``{"detail": …}`` for devices and scripts, a Chinese HTML page for
browsers (a request that accepts ``text/html`` outside ``/api/``).

Also where the portal's own errors become statuses (:class:`NotFound` 404, :class:`Forbidden` 403,
:class:`InvalidTransition` and :class:`IdempotencyConflict` 409), database outages become 503 with
``Retry-After``, a body that is not UTF-8 or a value no column can hold (an id past 32 bits) becomes 422, and an
unexpected error becomes a 500 that says nothing about the code.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import DataError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from caregiver_portal.core.errors import (
    Forbidden,
    IdempotencyConflict,
    InvalidTransition,
    NotFound,
    StorageUnavailable,
)
from caregiver_portal.core.templating import templates

log = logging.getLogger(__name__)

PAGES = {  # status: (title, what to do)
    400: ("请求有误", "页面提交的内容无法识别。请返回上一页重新填写。"),
    403: ("没有权限", "您没有权限做这件事。如需帮助，请联系站点管理员。"),
    404: ("找不到这个页面", "这个页面或记录不存在，可能已被删除。请从主菜单重新进入。"),
    405: ("不支持这个操作", "这个地址不能这样使用。请从主菜单重新进入。"),
    409: ("操作没有完成", "情况已经变了（例如别人刚刚接单）。请刷新页面看看最新情况。"),
    413: ("内容太大", "提交的内容或照片太大。请缩小后再试。"),
    422: ("填写的内容有误", "有的内容无法保存（例如含有无法识别的字符）。请检查后重新填写。"),
    429: ("尝试太频繁", "请稍等片刻再试。"),
    500: ("系统出错了", "门户遇到了意外问题，已经记录下来。请稍后重试，急事请直接打电话。"),
    503: ("系统暂时忙", "门户暂时无法处理，请稍后重试。急事请直接打电话。"),
}


def wants_html(request: Request) -> bool:
    """A browser asking for a page (not a device, a script or the board's fetch)."""
    return not request.url.path.startswith("/api/") and "text/html" in request.headers.get("accept", "")


def error_answer(request: Request, status: int, detail: Any, *, headers: Mapping[str, str] | None = None) -> Response:
    """The error as JSON ``{"detail": detail}``, or as a Chinese page for a browser."""
    if not wants_html(request):
        return JSONResponse({"detail": printable(detail)}, status_code=status, headers=headers)
    title, advice = PAGES.get(status, PAGES[500] if status >= 500 else PAGES[400])
    shown = detail if isinstance(detail, str) and status not in (404, 500) else None
    return templates.TemplateResponse(request, "error.html", {
        "user": None, "status": status, "title": title, "advice": advice, "detail": printable(shown)},
        status_code=status, headers=headers)


def printable(value: Any) -> Any:
    """``value`` with every string made encodable (an unpaired surrogate echoed back as ``\\udXXX``)."""
    if isinstance(value, str):
        return value.encode("utf-8", "backslashreplace").decode("utf-8")
    if isinstance(value, list | tuple):
        return [printable(item) for item in value]
    if isinstance(value, dict):
        return {printable(key): printable(item) for key, item in value.items()}
    return value


def install_error_handlers(app: FastAPI, *, database_problem: Any) -> None:
    """Answer every error as :func:`error_answer` does; ``database_problem(exc)`` words a database outage."""
    statuses: dict[type[Exception], int] = {NotFound: 404, Forbidden: 403, InvalidTransition: 409}
    for error_type, status in statuses.items():
        def handler(request: Request, exc: Exception, status: int = status) -> Response:
            return error_answer(request, status, str(exc))

        app.add_exception_handler(error_type, handler)

    @app.exception_handler(IdempotencyConflict)
    def conflict(_request: Request, exc: IdempotencyConflict) -> Response:
        return JSONResponse({"detail": str(exc), "conflict": exc.body()}, status_code=409)

    @app.exception_handler(RequestValidationError)
    def invalid_request(request: Request, exc: RequestValidationError) -> Response:
        return error_answer(request, 422, [{"loc": list(err.get("loc", ())), "msg": str(err.get("msg", "")),
                                            "type": str(err.get("type", ""))} for err in exc.errors()])

    @app.exception_handler(OverflowError)
    @app.exception_handler(DataError)
    def value_out_of_range(request: Request, exc: Exception) -> Response:
        # A number no column holds (an id past 32 or 64 bits typed into a page's address or form) or a value the
        # database refuses for its column: the request is wrong, not the portal.
        log.warning("value refused by the database on %s %s: %s", request.method, request.url.path, exc)
        return error_answer(request, 422, [{"loc": ["request"], "msg": "a number or text out of range",
                                            "type": "out_of_range"}])

    @app.exception_handler(OperationalError)
    def database_unavailable(request: Request, exc: OperationalError) -> Response:
        log.error("database error: %s", exc.orig)
        return error_answer(request, 503, database_problem(exc), headers={"Retry-After": "5"})

    @app.exception_handler(StorageUnavailable)
    def storage_unavailable(request: Request, exc: StorageUnavailable) -> Response:
        log.error("storage unavailable: %s", exc)
        return error_answer(request, 503, "门户存储空间已满或无法写入，请联系管理员", headers={"Retry-After": "60"})

    @app.exception_handler(StarletteHTTPException)
    def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 400 and isinstance(exc.__cause__, UnicodeDecodeError):
            return error_answer(request, 422, [{"loc": ["body"], "msg": "the body is not valid UTF-8",
                                                "type": "unicode_decode"}])
        return error_answer(request, exc.status_code, exc.detail, headers=exc.headers)

    @app.exception_handler(Exception)
    def unexpected(request: Request, exc: Exception) -> Response:
        log.error("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
        return error_answer(request, 500, "门户内部错误，已记录")
