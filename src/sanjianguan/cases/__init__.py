"""The clue workflow (线索闭环): states, deadlines, sampling, adjudication, appeals."""
