"""/api/v1/units, /api/v1/users and /api/v1/clients."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from hutong.core.db import Database
from hutong.identity import service, tokens
from hutong.identity.authz import Actor
from hutong.identity.schemas import (
    ClientCreate,
    ClientCreated,
    RolesUpdate,
    UnitCreate,
    UnitOut,
    UserCreate,
    UserCreated,
    UserOut,
)
from hutong.web.deps import Code, current_actor, database
from hutong.web.openapi import ERRORS

router = APIRouter(prefix="/api/v1", tags=["identity"], responses=ERRORS)


@router.get("/units", response_model=list[UnitOut], summary="List units (the org tree)")
def list_units(
    actor: Actor = Depends(current_actor), db: Database = Depends(database)
) -> list[UnitOut]:
    with db.transaction() as session:
        return [UnitOut.model_validate(u) for u in service.list_units(session, actor)]


@router.post("/units", response_model=UnitOut, status_code=201, summary="Create a unit")
def create_unit(
    body: UnitCreate, actor: Actor = Depends(current_actor), db: Database = Depends(database)
) -> UnitOut:
    with db.transaction() as session:
        return UnitOut.model_validate(service.create_unit(session, actor, body))


@router.get("/users", response_model=list[UserOut], summary="List user accounts")
def list_users(
    actor: Actor = Depends(current_actor), db: Database = Depends(database)
) -> list[UserOut]:
    with db.transaction() as session:
        return service.list_users(session, actor)


@router.post("/users", response_model=UserCreated, status_code=201, summary="Create a user")
def create_user(
    body: UserCreate, actor: Actor = Depends(current_actor), db: Database = Depends(database)
) -> UserCreated:
    with db.transaction() as session:
        return service.create_user(session, actor, body)


@router.put("/users/{username}/roles", response_model=UserOut, summary="Replace a user's roles")
def set_roles(
    username: Code,
    body: RolesUpdate,
    actor: Actor = Depends(current_actor),
    db: Database = Depends(database),
) -> UserOut:
    with db.transaction() as session:
        return service.user_out(service.set_roles(session, actor, username, body.roles))


@router.post(
    "/clients",
    response_model=ClientCreated,
    status_code=201,
    summary="Register a unit's system for the client-credentials grant",
)
def create_client(
    body: ClientCreate, actor: Actor = Depends(current_actor), db: Database = Depends(database)
) -> ClientCreated:
    with db.transaction() as session:
        return tokens.create_client(session, actor, body)
