-- Accounts an administrator can recover (issue 15): a password set by someone else (a reset) must
-- be changed by its owner at the next sign-in; until then the account reaches only its own
-- password page.
ALTER TABLE users ADD COLUMN must_change_password BOOLEAN NOT NULL DEFAULT FALSE;
