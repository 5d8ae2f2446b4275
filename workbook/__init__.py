"""track-xls: a support-ticket tracker that lives in an ordinary Excel workbook."""

__version__ = "0.1.0"
