"""Reports arrive with the report-chain work; the reporting periods already live in
``reports.periods``."""
