"""forecast-tracker: estimative language in, scored probabilistic forecasts out."""

__version__ = "0.1.0"
