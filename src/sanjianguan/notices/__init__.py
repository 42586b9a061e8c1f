"""文书: the numbered notices the offices issue from the case record (告知书、责任追究通知书 …)."""
