-- Turnpike's PostgreSQL schema (PostgreSQL 15): Orleans ADO.NET clustering and grain persistence.
--
-- Orleans' providers read their SQL from the table OrleansQuery (QueryKey -> QueryText) and call it with
-- named parameters (@DeploymentId, @GrainIdHash, ...). This file creates the tables the queries use and
-- the queries themselves; it is the project's own and is applied by infra/postgres/apply-schema.sh
-- (idempotent: it can be applied again to a database that already has it, and keeps the data).
--
-- Times are stored as timestamptz; run the database with timezone UTC (apply-schema.sh sets it).

CREATE TABLE IF NOT EXISTS OrleansQuery
(
    QueryKey  varchar(64) NOT NULL PRIMARY KEY,
    QueryText text        NOT NULL
);

-- ---------------------------------------------------------------------------------------------
-- Clustering. One version row per deployment (cluster id): every membership change must name the
-- version it read and bumps it, which is how Orleans serialises membership changes (optimistic
-- concurrency on the whole table, as its membership protocol requires).
-- ---------------------------------------------------------------------------------------------

CREATE TABLE IF NOT EXISTS OrleansMembershipVersionTable
(
    DeploymentId varchar(150) NOT NULL PRIMARY KEY,
    Timestamp    timestamptz  NOT NULL DEFAULT now(),
    Version      integer      NOT NULL DEFAULT 0
);

CREATE TABLE IF NOT EXISTS OrleansMembershipTable
(
    DeploymentId varchar(150) NOT NULL REFERENCES OrleansMembershipVersionTable (DeploymentId),
    Address      varchar(45)  NOT NULL,
    Port         integer      NOT NULL,
    Generation   integer      NOT NULL,
    SiloName     varchar(150) NOT NULL,
    HostName     varchar(150) NOT NULL,
    Status       integer      NOT NULL,
    ProxyPort    integer,
    SuspectTimes text,
    StartTime    timestamptz  NOT NULL,
    IAmAliveTime timestamptz  NOT NULL,
    PRIMARY KEY (DeploymentId, Address, Port, Generation)
);

-- Returns true when this call created the version row.
CREATE OR REPLACE FUNCTION turnpike_membership_init(p_deployment_id varchar) RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
    inserted integer;
BEGIN
    INSERT INTO OrleansMembershipVersionTable (DeploymentId) VALUES (p_deployment_id) ON CONFLICT DO NOTHING;
    GET DIAGNOSTICS inserted = ROW_COUNT;
    RETURN inserted > 0;
END $$;

-- Moves the table from p_expected_version to the next; false when another change got there first.
CREATE OR REPLACE FUNCTION turnpike_membership_bump(p_deployment_id varchar, p_expected_version integer) RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
    bumped integer;
BEGIN
    UPDATE OrleansMembershipVersionTable v SET Version = v.Version + 1, Timestamp = now()
    WHERE v.DeploymentId = p_deployment_id AND v.Version = p_expected_version;
    GET DIAGNOSTICS bumped = ROW_COUNT;
    RETURN bumped > 0;
END $$;

-- Inserts a silo's row if the table is still at p_expected_version and the row is new; bumps the version.
CREATE OR REPLACE FUNCTION turnpike_membership_insert(
    p_deployment_id varchar, p_address varchar, p_port integer, p_generation integer, p_silo_name varchar, p_host_name varchar,
    p_status integer, p_proxy_port integer, p_start_time timestamptz, p_i_am_alive_time timestamptz, p_expected_version integer)
RETURNS boolean
LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM OrleansMembershipTable m
               WHERE m.DeploymentId = p_deployment_id AND m.Address = p_address AND m.Port = p_port AND m.Generation = p_generation) THEN
        RETURN false;
    END IF;
    IF NOT turnpike_membership_bump(p_deployment_id, p_expected_version) THEN
        RETURN false;
    END IF;
    INSERT INTO OrleansMembershipTable
        (DeploymentId, Address, Port, Generation, SiloName, HostName, Status, ProxyPort, StartTime, IAmAliveTime)
    VALUES (p_deployment_id, p_address, p_port, p_generation, p_silo_name, p_host_name, p_status, p_proxy_port, p_start_time, p_i_am_alive_time);
    RETURN true;
EXCEPTION WHEN unique_violation THEN
    RETURN false; -- another silo inserted the same row concurrently; the version bump is rolled back with it
END $$;

-- Updates a silo's row if the table is still at p_expected_version; bumps the version.
CREATE OR REPLACE FUNCTION turnpike_membership_update(
    p_deployment_id varchar, p_address varchar, p_port integer, p_generation integer,
    p_status integer, p_suspect_times text, p_i_am_alive_time timestamptz, p_expected_version integer)
RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
    changed integer;
BEGIN
    IF NOT turnpike_membership_bump(p_deployment_id, p_expected_version) THEN
        RETURN false;
    END IF;
    UPDATE OrleansMembershipTable m SET Status = p_status, SuspectTimes = p_suspect_times, IAmAliveTime = p_i_am_alive_time
    WHERE m.DeploymentId = p_deployment_id AND m.Address = p_address AND m.Port = p_port AND m.Generation = p_generation;
    GET DIAGNOSTICS changed = ROW_COUNT;
    IF changed = 0 THEN
        RAISE EXCEPTION USING ERRCODE = 'no_data_found', MESSAGE = 'no such membership row';
    END IF;
    RETURN true;
EXCEPTION WHEN no_data_found THEN
    RETURN false; -- undoes the version bump
END $$;

-- ---------------------------------------------------------------------------------------------
-- Grain persistence. A row per (service, grain, state name). Hashes are for the index; every query
-- also compares the full key, so a hash collision can never return another grain's state.
-- Version is the etag: a write names the version it read (null for a first write) and gets the next.
-- ---------------------------------------------------------------------------------------------

CREATE TABLE IF NOT EXISTS OrleansStorage
(
    GrainIdHash            integer      NOT NULL,
    GrainIdN0              bigint       NOT NULL,
    GrainIdN1              bigint       NOT NULL,
    GrainTypeHash          integer      NOT NULL,
    GrainTypeString        varchar(512) NOT NULL,
    GrainIdExtensionString varchar(512),
    ServiceId              varchar(150) NOT NULL,
    PayloadBinary          bytea,
    ModifiedOn             timestamptz  NOT NULL,
    Version                integer
);

CREATE INDEX IF NOT EXISTS ix_orleansstorage ON OrleansStorage (GrainIdHash, GrainTypeHash);

-- Returns the new version, or the version the caller named when its etag was stale (Orleans reports
-- that as a conflict: the version it gets back did not move).
CREATE OR REPLACE FUNCTION turnpike_storage_write(
    p_grain_id_hash integer, p_grain_id_n0 bigint, p_grain_id_n1 bigint, p_grain_type_hash integer, p_grain_type varchar,
    p_grain_id_extension varchar, p_service_id varchar, p_expected_version integer, p_payload bytea)
RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    new_version integer;
BEGIN
    IF p_expected_version IS NOT NULL THEN
        UPDATE OrleansStorage s SET PayloadBinary = p_payload, ModifiedOn = now(), Version = s.Version + 1
        WHERE s.GrainIdHash = p_grain_id_hash AND s.GrainTypeHash = p_grain_type_hash
          AND s.GrainIdN0 = p_grain_id_n0 AND s.GrainIdN1 = p_grain_id_n1 AND s.GrainTypeString = p_grain_type
          AND s.GrainIdExtensionString IS NOT DISTINCT FROM p_grain_id_extension AND s.ServiceId = p_service_id
          AND s.Version = p_expected_version
        RETURNING s.Version INTO new_version;
        RETURN COALESCE(new_version, p_expected_version);
    END IF;

    -- First write of this state: only if no row exists yet (a concurrent first write makes this a conflict).
    PERFORM pg_advisory_xact_lock(p_grain_id_hash, p_grain_type_hash);
    IF EXISTS (SELECT 1 FROM OrleansStorage s
               WHERE s.GrainIdHash = p_grain_id_hash AND s.GrainTypeHash = p_grain_type_hash
                 AND s.GrainIdN0 = p_grain_id_n0 AND s.GrainIdN1 = p_grain_id_n1 AND s.GrainTypeString = p_grain_type
                 AND s.GrainIdExtensionString IS NOT DISTINCT FROM p_grain_id_extension AND s.ServiceId = p_service_id) THEN
        RETURN NULL;
    END IF;
    INSERT INTO OrleansStorage (GrainIdHash, GrainIdN0, GrainIdN1, GrainTypeHash, GrainTypeString, GrainIdExtensionString,
                                ServiceId, PayloadBinary, ModifiedOn, Version)
    VALUES (p_grain_id_hash, p_grain_id_n0, p_grain_id_n1, p_grain_type_hash, p_grain_type, p_grain_id_extension,
            p_service_id, p_payload, now(), 1);
    RETURN 1;
END $$;

-- Clearing keeps the row (with no p_payload) and bumps the version, so a stale writer still conflicts.
CREATE OR REPLACE FUNCTION turnpike_storage_clear(
    p_grain_id_hash integer, p_grain_id_n0 bigint, p_grain_id_n1 bigint, p_grain_type_hash integer, p_grain_type varchar,
    p_grain_id_extension varchar, p_service_id varchar, p_expected_version integer)
RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    new_version integer;
BEGIN
    UPDATE OrleansStorage s SET PayloadBinary = NULL, ModifiedOn = now(), Version = s.Version + 1
    WHERE s.GrainIdHash = p_grain_id_hash AND s.GrainTypeHash = p_grain_type_hash
      AND s.GrainIdN0 = p_grain_id_n0 AND s.GrainIdN1 = p_grain_id_n1 AND s.GrainTypeString = p_grain_type
      AND s.GrainIdExtensionString IS NOT DISTINCT FROM p_grain_id_extension AND s.ServiceId = p_service_id
      AND s.Version IS NOT DISTINCT FROM p_expected_version
    RETURNING s.Version INTO new_version;
    RETURN COALESCE(new_version, p_expected_version);
END $$;

-- ---------------------------------------------------------------------------------------------
-- The queries Orleans reads. Column names of results are part of the contract.
-- ---------------------------------------------------------------------------------------------

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES
('InsertMembershipVersionKey',
 'SELECT turnpike_membership_init(@DeploymentId);'),
('MembershipReadAllKey',
 'SELECT v.DeploymentId, m.Address, m.Port, m.Generation, m.SiloName, m.HostName, m.Status, m.ProxyPort,
         m.SuspectTimes, m.StartTime, m.IAmAliveTime, v.Version
  FROM OrleansMembershipVersionTable v
  LEFT JOIN OrleansMembershipTable m ON m.DeploymentId = v.DeploymentId
  WHERE v.DeploymentId = @DeploymentId;'),
('MembershipReadRowKey',
 'SELECT v.DeploymentId, m.Address, m.Port, m.Generation, m.SiloName, m.HostName, m.Status, m.ProxyPort,
         m.SuspectTimes, m.StartTime, m.IAmAliveTime, v.Version
  FROM OrleansMembershipVersionTable v
  LEFT JOIN OrleansMembershipTable m ON m.DeploymentId = v.DeploymentId
       AND m.Address = @Address AND m.Port = @Port AND m.Generation = @Generation
  WHERE v.DeploymentId = @DeploymentId;'),
('InsertMembershipKey',
 'SELECT turnpike_membership_insert(@DeploymentId, @Address, @Port, @Generation, @SiloName, @HostName,
         @Status, @ProxyPort, @StartTime, @IAmAliveTime, @Version);'),
('UpdateMembershipKey',
 'SELECT turnpike_membership_update(@DeploymentId, @Address, @Port, @Generation, @Status, @SuspectTimes,
         @IAmAliveTime, @Version);'),
('UpdateIAmAlivetimeKey',
 'UPDATE OrleansMembershipTable SET IAmAliveTime = @IAmAliveTime
  WHERE DeploymentId = @DeploymentId AND Address = @Address AND Port = @Port AND Generation = @Generation;'),
('DeleteMembershipTableEntriesKey',
 'DELETE FROM OrleansMembershipTable WHERE DeploymentId = @DeploymentId;
  DELETE FROM OrleansMembershipVersionTable WHERE DeploymentId = @DeploymentId;'),
('CleanupDefunctSiloEntriesKey',
 'DELETE FROM OrleansMembershipTable
  WHERE DeploymentId = @DeploymentId AND IAmAliveTime < @IAmAliveTime AND Status <> 3;'),
('GatewaysQueryKey',
 'SELECT Address, ProxyPort, Generation FROM OrleansMembershipTable
  WHERE DeploymentId = @DeploymentId AND Status = @Status AND ProxyPort > 0;'),
('ReadFromStorageKey',
 'SELECT PayloadBinary, Version FROM OrleansStorage
  WHERE GrainIdHash = @GrainIdHash AND GrainTypeHash = @GrainTypeHash
    AND GrainIdN0 = @GrainIdN0 AND GrainIdN1 = @GrainIdN1 AND GrainTypeString = @GrainTypeString
    AND GrainIdExtensionString IS NOT DISTINCT FROM @GrainIdExtensionString AND ServiceId = @ServiceId;'),
('WriteToStorageKey',
 'SELECT turnpike_storage_write(@GrainIdHash, @GrainIdN0, @GrainIdN1, @GrainTypeHash, @GrainTypeString,
         @GrainIdExtensionString, @ServiceId, @GrainStateVersion, @PayloadBinary) AS NewGrainStateVersion;'),
('ClearStorageKey',
 'SELECT turnpike_storage_clear(@GrainIdHash, @GrainIdN0, @GrainIdN1, @GrainTypeHash, @GrainTypeString,
         @GrainIdExtensionString, @ServiceId, @GrainStateVersion) AS NewGrainStateVersion;')
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = EXCLUDED.QueryText;
