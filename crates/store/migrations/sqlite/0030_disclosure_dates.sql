-- When a call last changed stage (issue 16, finding 9): the open-contracting release of a call
-- carries the latest time any part of it changed, and closing the awards changes the release
-- (the tender becomes complete) without leaving any other timestamp. NULL for a call that has
-- not changed stage since it was published (its `created_at` then stands).
ALTER TABLE calls ADD COLUMN stage_at TEXT;
