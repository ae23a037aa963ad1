"""Shared fixtures for the scoring tests: the real data sets beside the repository.

The data live in ``shared/data`` next to the repository root (never copied into
the package); tests that need them skip cleanly where the folder is absent.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data"


def read_csv(name: str) -> list[dict[str, str]]:
    path = DATA / name
    if not path.is_file():
        pytest.skip(f"{name} not found in {DATA.resolve()}")
    with path.open(newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="session")
def niamey() -> dict[str, np.ndarray]:
    """Precipitation forecasts for Niamey, Jul-Sep 2016 (reliabilitydiag; Vogel et al. 2021, CC BY 4.0)."""
    rows = read_csv("precip_Niamey_2016.csv")
    data = {col: np.array([float(r[col]) for r in rows]) for col in ("ENS", "EPC", "EMOS", "Logistic")}
    data["obs"] = np.array([int(r["obs"]) for r in rows])
    return data


@pytest.fixture(scope="session")
def solar() -> dict[str, np.ndarray]:
    """C1.0+ solar flare forecasts 2016-2017 (Leka and Park 2019, Harvard Dataverse doi:10.7910/DVN/HYP74O, CC0)."""
    rows = read_csv("solar_flares_C1_2016_2017.csv")
    forecasters = [col for col in rows[0] if col not in ("VALID_DATE", "y")]
    data = {col: np.array([float(r[col]) for r in rows]) for col in forecasters}
    data["y"] = np.array([int(r["y"]) for r in rows])
    return data


@pytest.fixture(scope="session")
def gjp_rows() -> list[dict[str, str]]:
    """Good Judgment Project year-1 survey forecasts, one row per answer option (via niplav/iqisa)."""
    return read_csv("gjp_yr1_mini_survey_forecasts.csv")


@pytest.fixture(scope="session")
def pb_binary() -> dict[str, np.ndarray]:
    """PredictionBook binary forecasts with their outcomes (every row, as published)."""
    rows = read_csv("predictionbook_binary_resolved.csv")
    return {
        "p": np.array([float(r["probability"]) for r in rows]),
        "y": np.array([int(r["outcome"]) for r in rows]),
    }
