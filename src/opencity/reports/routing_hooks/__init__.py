"""Per-city routing hooks. A hook module defines ``adjust(report, rule) -> rule | None``."""
