-- A yearly cycle (issue 16, finding 4): a community's catalogue belongs to a period (a year in
-- China time). An eligibility and an application attach to one period's item, so the existing
-- UNIQUE (item, organization) on eligibilities and UNIQUE (eligibility) on projects now read
-- "one per item per period": next year's item is a new row, open again. Existing rows go to the
-- year they were created in. A project carries its period (its item's, or for a call without an
-- item the year it was awarded in) so lists and reports filter by it.
ALTER TABLE catalogue_items ADD COLUMN period INTEGER NOT NULL DEFAULT 0;
UPDATE catalogue_items SET period = CAST(strftime('%Y', substr(created_at, 1, 19), '+8 hours') AS INTEGER);
CREATE INDEX catalogue_items_period ON catalogue_items (tenant_id, area_code, period, name, id);

ALTER TABLE projects ADD COLUMN period INTEGER NOT NULL DEFAULT 0;
UPDATE projects SET period = COALESCE(
    (SELECT i.period FROM catalogue_items i WHERE i.tenant_id = projects.tenant_id AND i.id = projects.item_id),
    CAST(strftime('%Y', substr(created_at, 1, 19), '+8 hours') AS INTEGER));
CREATE INDEX projects_period ON projects (tenant_id, period, id);

-- Competition (finding 5): an item of a period is taken by at most one organization at a time.
-- A project that is live or bought holds it; one that failed (表决未通过, 不予购买, 已终止)
-- leaves it open. The list of failed stages is `Stage::leaves_item_open` in the domain.
CREATE UNIQUE INDEX projects_item_taken ON projects (tenant_id, item_id)
    WHERE item_id IS NOT NULL AND stage NOT IN ('rejected', 'declined', 'terminated');

-- A period never changes once written: the item's year is what its eligibilities rest on.
CREATE TRIGGER catalogue_items_period_fixed BEFORE UPDATE OF period ON catalogue_items
BEGIN SELECT RAISE(ABORT, 'frozen: a catalogue item''s period never changes'); END;
CREATE TRIGGER projects_period_fixed BEFORE UPDATE OF period, item_id ON projects
BEGIN SELECT RAISE(ABORT, 'frozen: a project''s item and period never change'); END;
