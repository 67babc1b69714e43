"""Bodies and answers of the classroom API (/api/classes, issue 13). Setting-dependent limits
(nickname length, scene bytes) are checked by the service from the settings."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class ClassCreated(BaseModel):
    code: str = Field(description="Join code: 6 characters, no look-alikes (0/O, 1/I/L).")
    teacher_token: str = Field(description="The teacher's capability; never show it to students.")
    join_url: str = Field(description="Path of the student page for this class.")
    teacher_url: str = Field(description="Path of the teacher page (the token in the fragment).")
    expires_at: float = Field(description="Unix time the class expires.")


class JoinIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    nickname: str | None = Field(None, max_length=256,
                                 description="Optional; letters, digits, space, - _ . "
                                             "(CONVSCOPE_NICKNAME_MAX_CHARS).")


class Joined(BaseModel):
    student_token: str
    student: int = Field(description="This student's anonymous number in the class.")
    nickname: str


class SceneIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    scene: dict[str, Any] = Field(description="The page's scene, relayed verbatim "
                                              "(CONVSCOPE_MAX_SCENE_BYTES of JSON).")


class LockIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    locked: bool


class ExerciseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: str = Field(max_length=64, description="An exercise kind of GET /api/exercises.")
    seed: int = Field(ge=0, le=2**31 - 1)


class AnswerIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    exercise_id: int = Field(ge=1)
    answer: Any = Field(description="The answer, as the exercise's kind expects it.")


class Sent(BaseModel):
    event_id: int = Field(description="Id of the event every stream receives.")


class Verdict(BaseModel):
    correct: bool
    mistake: str | None
    hint: str | None


class Results(BaseModel):
    exercise_id: int | None
    kind: str | None = None
    seed: int | None = None
    students: int
    answered: int
    correct: int
    share_correct: float | None
    distribution: list[dict[str, Any]]
    mistakes: list[dict[str, Any]]
