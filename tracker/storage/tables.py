"""The table handles (SQLAlchemy Core) of the schema's SQLModel classes,
named once for every query."""

from __future__ import annotations

from ..models import Analyst, Clarification, Forecast, Question, QuestionTag, Resolution, Scenario, TeamSetting

T_SCENARIO = Scenario.__table__
T_ANALYST = Analyst.__table__
T_QUESTION = Question.__table__
T_TAG = QuestionTag.__table__
T_FORECAST = Forecast.__table__
T_RESOLUTION = Resolution.__table__
T_CLARIFICATION = Clarification.__table__
T_SETTING = TeamSetting.__table__
