"""Import and export, one module per format:

- :mod:`.export`: the lossless JSON dump (``export_json``,
  ``export_json_text``) and the forecast CSV (``export_csv_text``);
- :mod:`.restore`: a JSON export into an empty database, exactly
  (``import_json``);
- :mod:`.csv_import`: forecasts and outcomes from CSV, all or nothing
  (``import_csv``), planned by a pure function (``plan_csv``) and then
  written (``write_csv_plan``).
"""

from __future__ import annotations

from ...errors import TrackerError  # noqa: F401
from ...jsonable import jsonable as _jsonable  # noqa: F401 (the one JSON encoder)
from ...storage.bulk import ts as _ts  # noqa: F401
from .csv_import import (  # noqa: F401
    CSV_REQUIRED,
    FORECAST_COLUMNS,
    CsvPlan,
    CsvState,
    _parse_ts,
    decode_text,
    import_csv,
    plan_csv,
    read_csv_rows,
    read_state,
    write_csv_plan,
)
from .export import (  # noqa: F401
    CSV_COLUMNS,
    FORMAT_NAME,
    FORMAT_VERSION,
    TABLES,
    csv_cell_read,
    csv_cell_safe,
    export_csv_text,
    export_json,
    export_json_text,
)
from .restore import import_json  # noqa: F401
