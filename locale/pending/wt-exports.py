"""New msgids of wt-exports (the one spreadsheet writer and import machinery): none, every message moved as it was."""

ZH: dict[str, str] = {}
