-- Regional routing (issue 13): a visitor of unknown province who asked for a person is asked where their
-- number is from first, when some group serves particular provinces. The pending handoff waits here
-- (JSON: the reason and the subject's group key) until the next message answers the question.
ALTER TABLE conversations ADD COLUMN province_question TEXT CHECK (province_question IS NULL OR json_valid(province_question));
