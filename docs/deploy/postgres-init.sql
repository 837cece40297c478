-- Lean: the two database roles and the database, for the official postgres image (18+).
--
-- Mounted into /docker-entrypoint-initdb.d/ by docker-compose.yml, so the image runs it once, with psql
-- as the postgres superuser, when its data volume is empty. It is not re-run on later starts: to change
-- a password afterwards use ALTER ROLE ... PASSWORD yourself (and update the .env file).
--
-- Passwords come from the postgres container's environment (psql 15+ \getenv):
--   LEAN_OWNER_PASSWORD  for lean_owner, which owns the tables and runs migrations (DATABASE_OWNER_URL);
--   LEAN_APP_PASSWORD    for lean_app, which the application connects as (DATABASE_URL).
-- Outside Docker, run it as a superuser the same way:
--   LEAN_OWNER_PASSWORD=... LEAN_APP_PASSWORD=... psql -v ON_ERROR_STOP=1 -U postgres -f postgres-init.sql
--
-- Neither role is a superuser or has BYPASSRLS: superusers and BYPASSRLS roles skip row-level security,
-- and so does a table's owner unless RLS is forced (Lean forces it). lean_app owns nothing; after every
-- migrate, Lean itself grants it SELECT/INSERT/UPDATE/DELETE on the tables and USAGE on the sequences
-- (lean/rls.py), so nothing is granted here.

\set ON_ERROR_STOP on

\getenv lean_owner_password LEAN_OWNER_PASSWORD
\getenv lean_app_password LEAN_APP_PASSWORD

\if :{?lean_owner_password}
\else
  DO $$ BEGIN RAISE EXCEPTION 'LEAN_OWNER_PASSWORD is not set in the postgres container environment'; END $$;
\endif
\if :{?lean_app_password}
\else
  DO $$ BEGIN RAISE EXCEPTION 'LEAN_APP_PASSWORD is not set in the postgres container environment'; END $$;
\endif

-- CREATEDB only so that the test runner, which connects as the owner, can create its test database.
CREATE ROLE lean_owner LOGIN NOSUPERUSER NOBYPASSRLS CREATEDB NOCREATEROLE PASSWORD :'lean_owner_password';
CREATE ROLE lean_app LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE PASSWORD :'lean_app_password';

-- Owned by lean_owner: the public schema (owned by pg_database_owner) lets it create the tables there.
-- lean_app keeps the default CONNECT on the database and USAGE on the public schema, and nothing more.
CREATE DATABASE lean OWNER lean_owner ENCODING 'UTF8' TEMPLATE template0;
