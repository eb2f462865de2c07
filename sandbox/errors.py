"""API errors in the Bridge shape: `{"type", "message", "documentation_url": null}`."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException


class ApiError(Exception):
    def __init__(self, status: int, type_: str, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.type = type_
        self.message = message
        self.headers = headers or {}


def error_response(status: int, type_: str, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    body = {'type': type_, 'message': message, 'documentation_url': None}
    return JSONResponse(body, status_code=status, headers=headers)


def not_found(what: str) -> ApiError:
    return ApiError(404, 'not_found', f'{what} not found')


def bad_request(message: str) -> ApiError:
    return ApiError(400, 'invalid_request', message)


def install(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def api_error(_request: Request, error: ApiError) -> JSONResponse:
        return error_response(error.status, error.type, error.message, error.headers)

    @app.exception_handler(RequestValidationError)
    async def invalid(_request: Request, error: RequestValidationError) -> JSONResponse:
        details = '; '.join(f'{".".join(str(part) for part in e["loc"])}: {e["msg"]}' for e in error.errors())
        return error_response(400, 'invalid_request', details or 'invalid request')

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_request: Request, error: StarletteHTTPException) -> JSONResponse:
        kinds = {404: 'not_found', 405: 'method_not_allowed', 401: 'unauthorized'}
        return error_response(error.status_code, kinds.get(error.status_code, 'error'), str(error.detail))

    @app.exception_handler(Exception)
    async def crash(_request: Request, _error: Exception) -> JSONResponse:
        return error_response(500, 'internal_server_error', 'Internal server error')
