"""POST /api/v1/auth/token (OAuth2 password and client-credentials grants) and password change."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request

from hutong.core.db import Database
from hutong.core.errors import InvalidInput
from hutong.identity.auth import authenticate, change_password
from hutong.identity.schemas import PasswordChange, TokenOut
from hutong.identity.tokens import client_credentials_grant, password_grant
from hutong.web.deps import client_address, database
from hutong.web.openapi import ERRORS, problem_answers

router = APIRouter(prefix="/api/v1/auth", tags=["auth"], responses=ERRORS | problem_answers(423))


@router.post("/token", response_model=TokenOut, summary="Issue a bearer token")
def token(
    request: Request,
    grant_type: Annotated[str, Form()],
    username: Annotated[str | None, Form()] = None,
    password: Annotated[str | None, Form()] = None,
    totp: Annotated[str | None, Form(description="TOTP code; required for the 三员")] = None,
    client_id: Annotated[str | None, Form()] = None,
    client_secret: Annotated[str | None, Form()] = None,
    scope: Annotated[str | None, Form()] = None,
    db: Database = Depends(database),
) -> TokenOut:
    address, request_id = client_address(request), request.state.request_id
    with db.transaction() as session:
        if grant_type == "password" and username and password:
            return password_grant(session, username, password, totp, scope, address, request_id)
        if grant_type == "client_credentials" and client_id and client_secret:
            return client_credentials_grant(
                session, client_id, client_secret, scope, address, request_id
            )
    raise InvalidInput(
        "grant_type 须为 password（附用户名、密码）或 client_credentials（附客户端凭据）",
        "grant_type must be password (with username, password) or "
        "client_credentials (with client_id, client_secret)",
        field="grant_type",
    )


@router.post("/password", status_code=204, summary="Change one's own password")
def password(body: PasswordChange, request: Request, db: Database = Depends(database)) -> None:
    with db.transaction() as session:
        user = authenticate(
            session,
            body.username,
            body.current_password,
            body.totp,
            client_address=client_address(request),
            request_id=request.state.request_id,
        )
        change_password(session, user, body.current_password, body.new_password)
