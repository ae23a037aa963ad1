"""Figures and the team report.

``report`` takes arrays and result objects, never a database session:

- :mod:`tracker.report.data`: the report as dataclasses;
- :mod:`tracker.report.build`: report parts from arrays (calibration data,
  verdicts, per-analyst rows, estimative phrases, surprises, trend);
- :mod:`tracker.report.figures`: matplotlib figures (object API, no pyplot);
- :mod:`tracker.report.render`: HTML (one self-contained file), Markdown and
  JSON, through the Jinja2 templates in ``templates/``;
- :mod:`tracker.report.style`: the colour-blind- and grayscale-safe palette.

Nothing heavy is imported here.
"""
