"""Chinese of the new msgids of the wt-refuse work (one way to refuse, to show a service error, to reject a batch).

None: the refusal, the batch messages and the problems table reuse msgids already in the catalogue."""

ZH = {}
