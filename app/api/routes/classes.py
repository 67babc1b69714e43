"""The live classroom (issue 13): /api/classes. Teacher actions need `Authorization: Bearer
<teacher_token>`, student actions the student token (header, or `token=` for EventSource);
state is in the shared store, so any worker serves any class."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import Response, StreamingResponse

from app.api.sse import SseSlots
from app.deps import SettingsDep, StoreDep
from app.errors import ERROR_RESPONSES, ApiError, prefers_japanese
from app.schemas.classroom import (
    AnswerIn,
    ClassCreated,
    ExerciseIn,
    Joined,
    JoinIn,
    LockIn,
    Results,
    SceneIn,
    Sent,
    Verdict,
)
from app.services.classroom import codes, exercises, results, service, stream

ERRORS: dict[int | str, dict[str, Any]] = {
    s: ERROR_RESPONSES[422] | {"description": d} for s, d in (
    (400, "Malformed body."), (401, "No token."),
    (403, "Not this class's token (a student token on a teacher action)."),
    (404, "No such class (or it expired or ended)."), (409, "Class full, or answered already."),
    (413, "Scene too large."), (422, "Invalid body or nickname."),
    (429, "Too many classes, answers or event streams from one address."))}
router = APIRouter(prefix="/api/classes", tags=["classroom"], responses=ERRORS)
AuthHeader = Annotated[str | None, Header(description="Bearer <token>")]
TokenQuery = Annotated[str | None, Query(description="The token, for EventSource (no headers).")]


def _bearer(authorization: str | None, token: str | None = None) -> str | None:
    if authorization and authorization.lower().startswith("bearer "):
        return authorization[7:].strip()
    return token


def _lang(request: Request) -> str:
    return "ja" if prefers_japanese(request.headers.get("accept-language")) else "en"


@router.post("", status_code=201, response_model=ClassCreated)
def create_class(store: StoreDep, settings: SettingsDep) -> ClassCreated:
    """A new class: its join code, the teacher's capability token and the page links."""
    record, token = service.create(store, settings)
    code = record["code"]
    return ClassCreated(code=code, teacher_token=token, join_url=f"/classroom?join={code}",
                        teacher_url=f"/classroom?teach={code}#{token}",
                        expires_at=record["expires_at"])


@router.get("/kinds")
def kinds(request: Request) -> list[dict[str, str]]:
    """The exercise kinds a teacher can launch (GET /api/exercises' list), in the page's
    language."""
    return exercises.kinds(_lang(request))


@router.post("/{code}/students", status_code=201, response_model=Joined)
def join(code: str, body: JoinIn, store: StoreDep, settings: SettingsDep) -> Joined:
    """Join anonymously, with an optional nickname; the token is the student's only identity."""
    _, token, who = service.join(store, settings, code, body.nickname)
    return Joined(student_token=token, student=who["id"], nickname=who["nickname"])


@router.get("/{code}/events", response_class=StreamingResponse,
            responses={200: {"content": {"text/event-stream": {}}}})
def events(code: str, request: Request, store: StoreDep, settings: SettingsDep,
           authorization: AuthHeader = None, token: TokenQuery = None,
           last_event_id: Annotated[int | None, Header(ge=0)] = None) -> StreamingResponse:
    """Server-sent events of the class (teacher or student token); `Last-Event-ID` catches up."""
    presented = _bearer(authorization, token)
    record = _either(store, code, presented)
    is_teacher = codes.token_matches(presented, record["teacher"])
    slots = SseSlots(store, settings.max_sse_per_address, settings.sse_heartbeat_s)
    body = stream.events(store, record, teacher=is_teacher, after=last_event_id,
                         heartbeat_s=settings.sse_heartbeat_s)
    return StreamingResponse(slots.guard(request.client.host if request.client else "", body),
                             media_type="text/event-stream",
                             headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})


def _either(store: StoreDep, code: str, token: str | None) -> dict[str, Any]:
    """The record for a teacher or a student token (403 for any other)."""
    try:
        return service.teacher(store, code, token)
    except ApiError as err:
        if err.code != "class_forbidden":
            raise
    return service.student(store, code, token)[0]


@router.post("/{code}/scene", response_model=Sent)
def scene(code: str, body: SceneIn, store: StoreDep, settings: SettingsDep,
          authorization: AuthHeader = None) -> Sent:
    """Send the teacher's scene to every student (opaque JSON, relayed verbatim)."""
    record = service.teacher(store, code, _bearer(authorization))
    size = len(json.dumps(body.scene, ensure_ascii=False, separators=(",", ":")).encode())
    return Sent(event_id=service.set_scene(store, settings, record, body.scene, size))


@router.post("/{code}/lock", response_model=Sent)
def lock(code: str, body: LockIn, store: StoreDep, authorization: AuthHeader = None) -> Sent:
    """Lock (or unlock) the students' controls: "eyes on the projector"."""
    record = service.teacher(store, code, _bearer(authorization))
    return Sent(event_id=service.set_lock(store, record, body.locked))


@router.post("/{code}/exercise")
def exercise(code: str, body: ExerciseIn, store: StoreDep,
             authorization: AuthHeader = None) -> dict[str, object]:
    """Launch an exercise (kind, seed of the exercises API) to the class: its id and question."""
    record = service.teacher(store, code, _bearer(authorization))
    return service.launch(store, record, body.kind, body.seed)


@router.post("/{code}/reveal")
def reveal(code: str, store: StoreDep, authorization: AuthHeader = None) -> dict[str, object]:
    """Show the current exercise's worked solution to everyone."""
    record = service.teacher(store, code, _bearer(authorization))
    return service.reveal(store, record)


@router.post("/{code}/answers", response_model=Verdict)
def answer(code: str, body: AnswerIn, request: Request, store: StoreDep, settings: SettingsDep,
           authorization: AuthHeader = None, token: TokenQuery = None) -> Verdict:
    """A student's answer to the current exercise: correct or not, with the hint."""
    record, who = service.student(store, code, _bearer(authorization, token))
    verdict = service.answer(store, settings, record, who, body.exercise_id, body.answer,
                             _lang(request))
    return Verdict(**verdict)


@router.get("/{code}/results", response_model=Results,
            responses={200: {"content": {"text/csv": {}}}})
def class_results(code: str, request: Request, store: StoreDep,
                  authorization: AuthHeader = None,
                  format: Annotated[str, Query(pattern="^(json|csv)$")] = "json") -> Response:
    """The current exercise's results (teacher); `format=csv`: every answer of the class."""
    record = service.teacher(store, code, _bearer(authorization))
    if format == "csv":
        return Response(results.results_csv(store, record), media_type="text/csv",
                        headers={"Content-Disposition":
                                 f'attachment; filename="class-{record["code"]}.csv"'})
    return Response(json.dumps(results.results(store, record, _lang(request))),
                    media_type="application/json")


@router.get("/{code}/qr.svg", response_class=Response,
            responses={200: {"content": {"image/svg+xml": {}}}})
def qr(code: str, request: Request, store: StoreDep) -> Response:
    """The join link of a live class as a QR code (SVG), for the projector."""
    record = service.load_public(store, code)
    url = f"{str(request.base_url).rstrip('/')}/classroom?join={record['code']}"
    return Response(codes.qr_svg(url), media_type="image/svg+xml",
                    headers={"Cache-Control": "no-store"})


@router.delete("/{code}", status_code=204)
def end_class(code: str, store: StoreDep, authorization: AuthHeader = None) -> Response:
    """End the class now: every stream gets "end", the class is gone (404 afterwards)."""
    service.end(store, service.teacher(store, code, _bearer(authorization)))
    return Response(status_code=204)
